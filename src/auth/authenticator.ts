// What a connection presents in CONNECT, and what an authenticator turns it into:
// an identity bound to an account. Every protocol edge authenticates through this interface.

export interface ConnectCredentials {
  user?: string;
  pass?: string;
  authToken?: string;
  nkey?: string;
  sig?: string;
  jwt?: string;
}

export interface AuthContext {
  kind: "client" | "websocket" | "mqtt";
  remoteAddress: string;
  nonce?: string;
}

export interface Identity {
  /** Account name the connection is bound to. */
  account: string;
  user?: string;
}

export interface Authenticator {
  /** Whether clients must authenticate (INFO auth_required). */
  readonly required: boolean;
  /** Returns the identity, or null when the credentials are rejected. */
  authenticate(creds: ConnectCredentials, ctx: AuthContext): Identity | null;
}
