import type { AdminStats, LagRow, NodeReport } from "./admin-api.js";
import { Chart, type Line } from "./Chart.js";
import { useStats } from "./use-stats.js";

const CONNECTION_LINES: readonly Line[] = [{ label: "connections", color: "#2563eb" }];
const MESSAGE_LINES: readonly Line[] = [
  { label: "in/s", color: "#16a34a" },
  { label: "out/s", color: "#9333ea" },
];

/** The live dashboard: figures, charts, busiest rooms, nodes and lag, refreshed every poll. */
export function Dashboard(props: {
  adminKey: string;
  first: AdminStats;
  onRefused: (message: string) => void;
  onSignOut: () => void;
}) {
  const { stats, rates, history, trouble } = useStats(props.adminKey, props.first, props.onRefused);
  const t = stats.totals;
  return (
    <main className="dashboard">
      <header>
        <h1>Parley admin</h1>
        <span className="mode">
          {stats.mode} · {stats.nodes.length} node{stats.nodes.length === 1 ? "" : "s"}
        </span>
        <button type="button" onClick={props.onSignOut}>
          Forget key
        </button>
      </header>
      {trouble && (
        <p role="status" className="error">
          {trouble}
        </p>
      )}
      <dl className="figures">
        <Figure id="connections" label="Live connections" value={t.connections} />
        <Figure id="users" label="Users" value={t.users} />
        <Figure id="rooms" label="Rooms" value={stats.occupiedRooms} />
        <Figure id="messages-in" label="Messages in/s" value={rates.messagesIn} />
        <Figure id="messages-out" label="Messages out/s" value={rates.messagesOut} />
        <Figure id="slow-consumers" label="Slow consumers cut" value={t.slowConsumerCuts} />
        <Figure id="rate-limited" label="Rate-limit refusals" value={t.rateLimited} />
        {stats.mode === "cluster" && <Figure id="sink-lag" label="Sink lag (events)" value={sinkLag(stats.nodes)} />}
      </dl>
      <section className="charts">
        <Chart title="Live connections" lines={CONNECTION_LINES} data={[history.time, history.connections]} />
        <Chart
          title="Messages per second"
          lines={MESSAGE_LINES}
          data={[history.time, history.messagesIn, history.messagesOut]}
        />
      </section>
      <section className="tables">
        <RoomTable
          title="Top rooms by connections"
          head={["room", "connections", "users"]}
          rows={stats.topRooms.byConnections.map((r) => [r.room, r.connections, r.users])}
        />
        <RoomTable
          title="Top rooms by messages/s"
          head={["room", "messages/s"]}
          rows={stats.topRooms.byMessages.map((r) => [r.room, round(r.perSecond)])}
        />
      </section>
      <Nodes nodes={stats.nodes} />
      <Lag nodes={stats.nodes} />
    </main>
  );
}

/** Events the sinks have not written to PostgreSQL yet, over every partition: how far search and unread lag. */
function sinkLag(nodes: NodeReport[]): number {
  return nodes.flatMap((n) => n.lag).reduce((sum, l) => (l.consumer === "sink" ? sum + l.lag : sum), 0);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function Figure(props: { id: string; label: string; value: number }) {
  return (
    <div className="figure">
      <dt id={`${props.id}-label`}>{props.label}</dt>
      <dd aria-labelledby={`${props.id}-label`} data-testid={props.id}>
        {round(props.value)}
      </dd>
    </div>
  );
}

function RoomTable(props: { title: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <table>
      <caption>{props.title}</caption>
      <Head columns={props.head} />
      <tbody>
        {props.rows.length === 0 && (
          <tr>
            <td colSpan={props.head.length}>none</td>
          </tr>
        )}
        {props.rows.map((row) => (
          <tr key={String(row[0])}>
            {row.map((cell, i) => (
              <td key={i}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Nodes(props: { nodes: NodeReport[] }) {
  return (
    <table className="nodes">
      <caption>Nodes</caption>
      <Head columns={["node", "roles", "status", "connections", "messages in", "messages out"]} />
      <tbody>
        {props.nodes.map((n) => (
          <tr key={n.id} data-testid={`node-${n.id}`}>
            <td>
              {n.id}
              {n.self ? " (this)" : ""}
            </td>
            <td>{n.roles.join(", ")}</td>
            <td className={`status-${n.status}`}>{n.status}</td>
            <td>{n.totals?.connections ?? "–"}</td>
            <td>{n.totals?.messagesIn ?? "–"}</td>
            <td>{n.totals?.messagesOut ?? "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Consumer lag per partition, every node's, sink lag included. */
function Lag(props: { nodes: NodeReport[] }) {
  const rows: (LagRow & { node: string })[] = props.nodes.flatMap((n) => n.lag.map((l) => ({ ...l, node: n.id })));
  if (rows.length === 0) return null;
  return (
    <table className="lag">
      <caption>Consumer lag (records)</caption>
      <Head columns={["consumer", "node", "topic", "partition", "lag"]} />
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.node}:${r.consumer}:${r.topic}:${r.partition}`}>
            <td>{r.consumer}</td>
            <td>{r.node}</td>
            <td>{r.topic}</td>
            <td>{r.partition}</td>
            <td>{r.lag}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Head(props: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((h) => (
          <th key={h} scope="col">
            {h}
          </th>
        ))}
      </tr>
    </thead>
  );
}
