// The monitoring port's routes: nats-server's paths (server.go startMonitoring) with their query
// parameters, plus natsgate's /metrics and /console, each answered from Monitoring's collectors.

import { connzOptionsFromQuery } from "./connz.js";
import { consolePage, rootPage } from "./console-page.js";
import { healthzOptionsFromQuery } from "./healthz.js";
import type { MonitorHandler } from "./http.js";
import { jszOptionsFromQuery } from "./jsz.js";
import type { Monitoring } from "./monitoring.js";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus.js";
import { subszOptionsFromQuery } from "./subsz.js";

const HTML = "text/html; charset=utf-8";

export function monitorRoutes(m: Monitoring): Map<string, MonitorHandler> {
  const subsz: MonitorHandler = (q) => ({ json: m.subsz(subszOptionsFromQuery(q)) });
  return new Map<string, MonitorHandler>([
    ["/", () => ({ body: rootPage(), contentType: HTML })],
    ["/varz", () => ({ json: m.varz() })],
    ["/connz", (q) => ({ json: m.connz(connzOptionsFromQuery(q)) })],
    ["/routez", () => ({ json: m.routez() })],
    ["/gatewayz", () => ({ json: m.gatewayz() })],
    ["/leafz", () => ({ json: m.leafz() })],
    ["/subsz", subsz],
    ["/subscriptionsz", subsz],
    ["/accountz", (q) => ({ json: m.accountz(q.get("acc")) })],
    ["/accstatz", (q) => ({ json: m.accstatz([], q.bool("unused")) })],
    ["/jsz", (q) => ({ json: m.jsz(jszOptionsFromQuery(q)) })],
    [
      "/healthz",
      (q) => {
        const status = m.healthStatus(healthzOptionsFromQuery(q));
        // nats-server answers a failing check with 503 and compact JSON.
        return { status: status.error ? 503 : 200, json: status, compact: true };
      },
    ],
    ["/metrics", () => ({ body: m.metrics(), contentType: PROMETHEUS_CONTENT_TYPE })],
    ["/console", () => ({ body: consolePage(), contentType: HTML })],
  ]);
}
