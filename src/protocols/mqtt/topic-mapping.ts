// The one place where MQTT topics and filters become NATS subjects and back, byte for byte as
// nats-server 2.9.10 (server/mqtt.go mqttToNATSSubjectConversion / natsSubjectToMQTTTopic).

/** Why a topic or filter was refused; `reason` is for debug logs. */
export class TopicError extends Error {}

/**
 * MQTT topic name (PUBLISH) → NATS subject. `/` → `.`, an empty level → `/` token
 * (`/a` → `/.a`, `a//b` → `a./.b`, `a/` → `a./`). `.` and space are refused as in 2.9.10.
 */
export function mqttTopicToNatsSubject(topic: string): string {
  return convert(topic, false);
}

/** MQTT topic filter (SUBSCRIBE) → NATS subject: also `+` → `*`, `#` → `>`. */
export function mqttFilterToNatsSubject(filter: string): string {
  return convert(filter, true);
}

function convert(mt: string, wildcardsOk: boolean): string {
  let out = "";
  const end = mt.length - 1;
  for (let i = 0; i < mt.length; i++) {
    const c = mt[i];
    switch (c) {
      case "/":
        if (i === 0 || out[out.length - 1] === ".") out += "/.";
        else if (i === end || mt[i + 1] === "/") out += "./";
        else out += ".";
        break;
      case ".":
      case " ":
        throw new TopicError("characters ' ' and '.' not supported for MQTT topics");
      case "+":
      case "#":
        if (!wildcardsOk)
          throw new TopicError(`wildcards not allowed in publish's topic: ${JSON.stringify(mt)}`);
        out += c === "+" ? "*" : ">";
        break;
      default:
        // Control characters (CR, LF, tab, ...) would break the NATS protocol line they end up in.
        if (c < " " || c === "\x7f") throw new TopicError("control characters not supported for MQTT topics");
        out += c;
    }
  }
  if (out[out.length - 1] === ".") out += "/";
  return out;
}

/** NATS subject → MQTT topic (the reverse rules; subjects carry no wildcards here). */
export function natsSubjectToMqttTopic(subject: string): string {
  let out = "";
  const end = subject.length - 1;
  for (let i = 0; i < subject.length; i++) {
    const c = subject[i];
    if (c === "/") {
      if (!(i === 0 && i < end && subject[i + 1] === ".")) out += "/";
    } else if (c === ".") {
      out += "/";
      if (i < end && subject[i + 1] === "/") i++;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * `a/#` matches `a` as well (MQTT-4.7.1-2): nats-server adds a second subscription on the
 * parent subject when the converted filter has more than one token and ends in `.>`.
 */
export function levelUpSubject(subject: string): string | null {
  if (subject.length < 3 || !subject.endsWith(".>")) return null;
  return subject.slice(0, -2);
}

/**
 * MQTT rules for a topic name (PUBLISH, will): not empty, no wildcards, no NUL [MQTT-4.7.3-1..3].
 * Returns an error text or null.
 */
export function topicNameProblem(topic: string): string | null {
  if (topic.length === 0) return "topic cannot be empty";
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2b || c === 0x23) return "wildcards not allowed in a topic name";
  }
  return null;
}

/** MQTT rules for a topic filter: `#` last and alone in its level, `+` alone in its level [MQTT-4.7.1-2,3]. */
export function topicFilterProblem(filter: string): string | null {
  if (filter.length === 0) return "topic filter cannot be empty";
  const levels = filter.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    const hash = level.indexOf("#");
    if (hash !== -1 && (level.length !== 1 || i !== levels.length - 1))
      return "invalid use of '#' in topic filter";
    const plus = level.indexOf("+");
    if (plus !== -1 && level.length !== 1) return "invalid use of '+' in topic filter";
  }
  return null;
}

/** A `$share/<group>/<filter>` shared subscription (MQTT 5 4.8.2), split, or null when it is not one. */
export function parseSharedFilter(filter: string): { group: string; filter: string } | null {
  if (!filter.startsWith("$share/")) return null;
  const rest = filter.slice(7);
  const slash = rest.indexOf("/");
  if (slash <= 0) throw new TopicError("invalid shared subscription");
  const group = rest.slice(0, slash);
  if (group.includes("+") || group.includes("#")) throw new TopicError("invalid shared subscription group");
  const inner = rest.slice(slash + 1);
  if (inner.length === 0) throw new TopicError("invalid shared subscription filter");
  return { group, filter: inner };
}
