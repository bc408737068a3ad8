// Throwaway PKI made with the openssl CLI for TLS tests: a CA, a server certificate for 127.0.0.1/localhost
// and client certificates (subject DN and e-mail SAN), in a temp directory removed by cleanup().

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** Subject "CN=alice,O=Acme" (Go's order), e-mail SAN alice@acme.test. */
  aliceCert: string;
  aliceKey: string;
  /** Subject "CN=bob,O=Acme", no SAN. */
  bobCert: string;
  bobKey: string;
  /** Self-signed "CN=alice,O=Acme": not from the CA. */
  rogueCert: string;
  rogueKey: string;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

function leaf(dir: string, name: string, subj: string, ext: string): void {
  openssl(
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}-key.pem`,
      "-subj",
      subj,
      "-out",
      `${name}.csr`,
    ],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-days",
      "2",
    ].concat(["-extfile", `${name}.ext`, "-out", `${name}.pem`]),
    dir,
  );
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "natsgate-certs-"));
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca-key.pem",
      "-out",
      "ca.pem",
      "-days",
      "2",
    ].concat(["-subj", "/CN=natsgate test CA"]),
    dir,
  );
  leaf(
    dir,
    "server",
    "/CN=localhost",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  leaf(
    dir,
    "alice",
    "/O=Acme/CN=alice",
    "subjectAltName=email:alice@acme.test\nextendedKeyUsage=clientAuth\n",
  );
  leaf(dir, "bob", "/O=Acme/CN=bob", "extendedKeyUsage=clientAuth\n");
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "rogue-key.pem",
      "-out",
      "rogue.pem",
      "-days",
      "2",
    ].concat(["-subj", "/O=Acme/CN=alice"]),
    dir,
  );
  const p = (f: string) => join(dir, f);
  return {
    dir,
    ca: p("ca.pem"),
    serverCert: p("server.pem"),
    serverKey: p("server-key.pem"),
    aliceCert: p("alice.pem"),
    aliceKey: p("alice-key.pem"),
    bobCert: p("bob.pem"),
    bobKey: p("bob-key.pem"),
    rogueCert: p("rogue.pem"),
    rogueKey: p("rogue-key.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
