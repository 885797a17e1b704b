import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import { OutboundPolicy, OutboundRefusedError, type Resolver } from "#server/notify/outbound.js";

/** A resolver that answers `address` for every name, and counts the questions. */
function resolverTo(address: string): Resolver & { calls: number } {
  const resolve = Object.assign(
    async () => {
      resolve.calls++;
      return [{ address, family: address.includes(":") ? 6 : 4 }];
    },
    { calls: 0 },
  );
  return resolve;
}

const INTERNAL = [
  "127.0.0.1",
  "127.1.2.3",
  "::1",
  "0.0.0.0",
  "::",
  "10.1.2.3",
  "172.16.0.1",
  "192.168.1.1",
  "100.64.0.1",
  "169.254.169.254",
  "fe80::1",
  "fc00::1",
  "fd12:3456::1",
  "224.0.0.1",
  "ff02::1",
  "255.255.255.255",
  "::ffff:127.0.0.1",
  "::ffff:169.254.169.254",
];

describe("OutboundPolicy", () => {
  it("allows public unicast addresses and refuses loopback, private, link-local, CGNAT, unspecified, multicast", () => {
    const policy = new OutboundPolicy([]);
    for (const ip of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
      assert.equal(policy.addressAllowed(ip), true, ip);
    for (const ip of INTERNAL) assert.equal(policy.addressAllowed(ip), false, ip);
  });

  it("lets listed networks through, and nothing else", () => {
    const policy = new OutboundPolicy(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
    for (const ip of ["127.0.0.1", "10.9.9.9", "fd12::1", "::ffff:10.0.0.1"])
      assert.equal(policy.addressAllowed(ip), true, ip);
    for (const ip of ["127.0.0.2", "192.168.1.1", "::1", "169.254.169.254"])
      assert.equal(policy.addressAllowed(ip), false, ip);
  });

  it("refuses webhook URLs in every spelling of an internal address, after resolving names", async () => {
    const policy = new OutboundPolicy([], resolverTo("127.0.0.1"));
    const urls = [
      "http://127.0.0.1/",
      "http://2130706433/",
      "http://0x7f.1/",
      "http://0177.0.0.1/",
      "http://[::1]:8080/",
      "http://[::ffff:7f00:1]/",
      "http://169.254.169.254/latest/meta-data/",
      "http://0.0.0.0/",
      "http://localhost/",
      "https://rebind.example/",
    ];
    for (const url of urls) {
      await assert.rejects(
        policy.checkUrl(new URL(url).href, "url"),
        (e: unknown) => e instanceof ParleyError && e.code === "BAD_REQUEST" && /not allowed/.test(e.message),
        url,
      );
    }
    await new OutboundPolicy([], resolverTo("93.184.216.34")).checkUrl("https://hooks.example/x", "url");
  });

  it("refuses a name if any of its addresses is internal", async () => {
    const mixed: Resolver = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ];
    await assert.rejects(new OutboundPolicy([], mixed).addressesOf("two.example"), OutboundRefusedError);
  });

  describe("POST", () => {
    let server: Server;
    let port = 0;
    let hits = 0;
    before(async () => {
      server = createServer((req, res) => {
        hits++;
        req.resume().on("end", () => res.writeHead(204).end());
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const signal = () => AbortSignal.timeout(10_000);

    it("connects to the address it checked: a name that resolves to loopback at connect time never connects", async () => {
      // DNS rebinding: the name passed a check earlier; now it answers 127.0.0.1.
      const resolver = resolverTo("127.0.0.1");
      const policy = new OutboundPolicy([], resolver);
      const before = hits;
      await assert.rejects(policy.post(`http://rebind.example:${port}/hook`, {}, "{}", signal()), OutboundRefusedError);
      await assert.rejects(policy.post(`http://127.0.0.1:${port}/hook`, {}, "{}", signal()), OutboundRefusedError);
      await assert.rejects(policy.post(`http://2130706433:${port}/hook`, {}, "{}", signal()), OutboundRefusedError);
      assert.equal(hits, before);
      assert.equal(resolver.calls, 1);
      policy.close();
    });

    it("reaches an allowed network, through the same lookup", async () => {
      const resolver = resolverTo("127.0.0.1");
      const policy = new OutboundPolicy(["127.0.0.0/8"], resolver);
      assert.deepEqual(await policy.post(`http://hooks.internal:${port}/hook`, {}, "{}", signal()), { status: 204 });
      assert.deepEqual(await policy.post(`http://127.0.0.1:${port}/hook`, {}, "{}", signal()), { status: 204 });
      assert.equal(resolver.calls, 1);
      policy.close();
    });
  });
});
