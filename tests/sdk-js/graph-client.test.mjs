// The official Microsoft Graph JavaScript client (@microsoft/microsoft-graph-client) against the
// mock of all of Graph (`graph-mock`) over HTTPS, as an app would use it against Graph: CRUD,
// query options, the PageIterator, JSON batching, GraphError, and /v1.0 reading what /beta wrote. The mock's address comes from GRAPH_MOCK_URL
// (https://127.0.0.1:<port>), and Node trusts its certificate through NODE_EXTRA_CA_CERTS;
// `.ci/sdk-js.sh` starts it and runs this file with `node --test`.

import assert from "node:assert/strict";
import { test } from "node:test";

import graph from "@microsoft/microsoft-graph-client";

const { BatchRequestContent, BatchResponseContent, Client, GraphError, PageIterator } = graph;

const base = process.env.GRAPH_MOCK_URL;
assert.ok(base?.startsWith("https://"), "GRAPH_MOCK_URL is the mock's https URL");
const host = new URL(base).hostname;
const connectors = "/deviceManagement/domainJoinConnectors";

// The token goes only to Graph's own hosts and the custom hosts named here, over https.
const client = Client.init({
  authProvider: (done) => done(null, "sdk-js-token"),
  baseUrl: base,
  defaultVersion: "beta",
  customHosts: new Set([host]),
});

const connector = (name, state = "active") => ({
  "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector",
  displayName: name,
  state,
  version: "1.0",
});

test("CRUD with the fluent API", async () => {
  const created = await client.api(connectors).post(connector("js crud"));
  assert.equal(created.displayName, "js crud");
  assert.match(created.id, /^[0-9a-f-]{36}$/);

  const read = await client.api(`${connectors}/${created.id}`).select("displayName,state").get();
  assert.equal(read.displayName, "js crud");
  assert.equal(read.version, undefined, "$select keeps only what it names");

  await client.api(`${connectors}/${created.id}`).patch({ displayName: "js renamed" });
  const renamed = await client.api(`${connectors}/${created.id}`).get();
  assert.equal(renamed.displayName, "js renamed");
  assert.equal(renamed.state, "active", "PATCH keeps what it does not name");

  await client.api(`${connectors}/${created.id}`).delete();
  await assert.rejects(client.api(`${connectors}/${created.id}`).get(), (error) => {
    assert.ok(error instanceof GraphError, `a GraphError, not ${error}`);
    assert.equal(error.statusCode, 404);
    assert.ok(error.requestId, "the error carries the request id");
    return true;
  });
});

test("query options: $filter, $orderby, $count, $top", async () => {
  for (const [name, state] of [["q-b", "error"], ["q-a", "error"], ["q-c", "inactive"]]) {
    await client.api(connectors).post(connector(name, state));
  }
  const errors = await client
    .api(connectors)
    .filter("state eq 'error' and startswith(displayName, 'q-')")
    .orderby("displayName desc")
    .count(true)
    .top(1)
    .get();
  assert.equal(errors["@odata.count"], 2);
  assert.deepEqual(errors.value.map((c) => c.displayName), ["q-b"]);
  assert.ok(errors["@odata.nextLink"], "$top=1 of 2 pages on");
});

test("the PageIterator visits every item of 250 from a $top=50 first page", async () => {
  const prefix = `page-${Date.now()}-`;
  for (let i = 0; i < 250; i++) {
    await client.api(connectors).post(connector(`${prefix}${String(i).padStart(3, "0")}`));
  }
  const first = await client
    .api(connectors)
    .filter(`startswith(displayName, '${prefix}')`)
    .top(50)
    .get();
  assert.equal(first.value.length, 50);
  const seen = [];
  const iterator = new PageIterator(client, first, (item) => {
    seen.push(item.displayName);
    return true;
  });
  await iterator.iterate();
  assert.equal(seen.length, 250);
  assert.equal(new Set(seen).size, 250);
});

test("JSON batching with BatchRequestContent", async () => {
  const url = (path) => `${base}/beta${path}`;
  const post = new Request(url(connectors), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(connector("in a js batch")),
  });
  // The SDK allows parallel, serial or same-dependency batches: a serial one here.
  const batch = new BatchRequestContent([
    { id: "1", request: post },
    { id: "2", request: new Request(url(connectors), { method: "GET" }), dependsOn: ["1"] },
    {
      id: "3",
      request: new Request(url(`${connectors}/no-such-id`), { method: "GET" }),
      dependsOn: ["2"],
    },
    { id: "4", request: new Request(url(connectors), { method: "GET" }), dependsOn: ["3"] },
  ]);
  const answer = await client.api("/$batch").post(await batch.getContent());
  const responses = new BatchResponseContent(answer);
  assert.equal(responses.getResponseById("1").status, 201);
  assert.equal((await responses.getResponseById("1").json()).displayName, "in a js batch");
  assert.equal(responses.getResponseById("2").status, 200);
  assert.equal(responses.getResponseById("3").status, 404);
  assert.equal(responses.getResponseById("4").status, 424, "a failed dependency");
});

test("v1.0 and beta on one host over one store, as Graph serves them", async () => {
  const nickname = `js${Date.now()}`;
  const created = await client.api("/users").version("beta").post({
    accountEnabled: true,
    displayName: "Ada from beta",
    mailNickname: nickname,
    userPrincipalName: `${nickname}@contoso.com`,
  });
  const read = await client.api(`/users/${created.id}`).version("v1.0").get();
  assert.equal(read.displayName, "Ada from beta");
  assert.match(read["@odata.context"], /\/v1\.0\/\$metadata#users/);

  const group = await client.api("/groups").version("v1.0").post({
    displayName: "Readers",
    mailEnabled: false,
    mailNickname: `readers${nickname}`,
    securityEnabled: true,
  });
  await client
    .api(`/groups/${group.id}/members/$ref`)
    .version("v1.0")
    .post({ "@odata.id": `${base}/v1.0/directoryObjects/${created.id}` });
  const members = await client.api(`/groups/${group.id}/members`).version("beta").get();
  assert.deepEqual(
    members.value.map((m) => m.id),
    [created.id],
  );
});
