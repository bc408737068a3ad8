// Topic ↔ subject mapping, case by case as nats-server 2.9.10 converts them (server/mqtt.go).

import { describe, expect, it } from "vitest";
import {
  levelUpSubject,
  mqttFilterToNatsSubject,
  mqttTopicToNatsSubject,
  natsSubjectToMqttTopic,
  parseSharedFilter,
  TopicError,
  topicFilterProblem,
  topicNameProblem,
} from "../../../../src/protocols/mqtt/topic-mapping.js";

describe("mqttTopicToNatsSubject", () => {
  const cases: [string, string][] = [
    ["foo", "foo"],
    ["foo/bar", "foo.bar"],
    ["a/b/c", "a.b.c"],
    ["/a/b", "/.a.b"],
    ["d//e", "d./.e"],
    ["a/", "a./"],
    ["/", "/./"],
    ["//", "/././"],
    ["a//", "a././"],
    ["$SYS/x", "$SYS.x"],
    ["ünï/cødé", "ünï.cødé"],
  ];
  for (const [topic, subject] of cases) {
    it(`${JSON.stringify(topic)} → ${JSON.stringify(subject)} and back`, () => {
      expect(mqttTopicToNatsSubject(topic)).toBe(subject);
      expect(natsSubjectToMqttTopic(subject)).toBe(topic);
    });
  }

  it("refuses '.' and ' ' as nats-server 2.9.10 does, and wildcards in a topic name", () => {
    for (const bad of ["a.b", "a b", "a/+", "#"])
      expect(() => mqttTopicToNatsSubject(bad)).toThrow(TopicError);
  });

  it("refuses control characters, which would break the NATS protocol line", () => {
    for (const bad of ["a\r\nb", "a\nb", "a\tb", "a\x00b", "a\x7fb"]) {
      expect(() => mqttTopicToNatsSubject(bad)).toThrow(TopicError);
      expect(() => mqttFilterToNatsSubject(`${bad}/#`)).toThrow(TopicError);
    }
  });
});

describe("mqttFilterToNatsSubject", () => {
  const cases: [string, string][] = [
    ["a/+/c", "a.*.c"],
    ["#", ">"],
    ["a/#", "a.>"],
    ["+", "*"],
    ["+/+", "*.*"],
    ["/+", "/.*"],
    ["+//#", "*./.>"],
  ];
  for (const [filter, subject] of cases) {
    it(`${JSON.stringify(filter)} → ${JSON.stringify(subject)}`, () => {
      expect(mqttFilterToNatsSubject(filter)).toBe(subject);
    });
  }

  it("adds the parent subject for 'x/#' only when there is more than one token", () => {
    expect(levelUpSubject("a.>")).toBe("a");
    expect(levelUpSubject("a.b.>")).toBe("a.b");
    expect(levelUpSubject(">")).toBeNull();
    expect(levelUpSubject("a.*")).toBeNull();
  });
});

describe("natsSubjectToMqttTopic for subjects from NATS publishers", () => {
  it("maps tokens to levels", () => {
    expect(natsSubjectToMqttTopic("orders.eu.new")).toBe("orders/eu/new");
    expect(natsSubjectToMqttTopic("_INBOX.abc.1")).toBe("_INBOX/abc/1");
  });
});

describe("MQTT topic rules", () => {
  it("topic names: empty and wildcards are refused", () => {
    expect(topicNameProblem("")).not.toBeNull();
    expect(topicNameProblem("a/+")).not.toBeNull();
    expect(topicNameProblem("a/#")).not.toBeNull();
    expect(topicNameProblem("a/b")).toBeNull();
  });

  it("filters: '#' last and alone, '+' alone in its level, several '#' refused", () => {
    for (const ok of ["#", "a/#", "+/b/+", "a/+/#", "/", "+"]) expect(topicFilterProblem(ok)).toBeNull();
    for (const bad of ["", "a#", "a/#/b", "#/#", "a+", "a/b+/c", "##"])
      expect(topicFilterProblem(bad)).not.toBeNull();
  });

  it("shared subscriptions split into group and filter", () => {
    expect(parseSharedFilter("$share/g1/a/+")).toEqual({ group: "g1", filter: "a/+" });
    expect(parseSharedFilter("a/b")).toBeNull();
    expect(() => parseSharedFilter("$share/g")).toThrow(TopicError);
    expect(() => parseSharedFilter("$share//a")).toThrow(TopicError);
  });
});
