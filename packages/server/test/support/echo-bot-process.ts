/** The example echo bot (examples/echo-bot) as a child process, for the cluster test that runs it. */
import { fileURLToPath } from "node:url";
import { ChildNode } from "./child-node.js";

/** The compiled bot, from this compiled file (packages/server/dist-test/support). */
const BOT_MAIN = fileURLToPath(new URL("../../../../examples/echo-bot/dist/main.js", import.meta.url));

/** What the bot logged for one command it answered. */
export interface Answered {
  readonly room: string;
  readonly command: number;
  readonly seq: number;
  readonly dup: boolean;
}

/** One run of the bot; its environment is the README's. */
export class EchoBotProcess extends ChildNode {
  constructor(private readonly env: Readonly<Record<string, string>>) {
    super("parley-echo-bot-");
  }

  /** Starts the bot; resolves once it joined its group and reads the events topic. */
  async start(timeoutMs = 60_000): Promise<this> {
    const ready = (line: string): true | undefined => (line.includes('"echo bot ready"') ? true : undefined);
    await this.spawnNode([BOT_MAIN], { env: this.env, timeoutMs, ready });
    return this;
  }

  /** Every answer the bot logged so far. */
  answered(): Answered[] {
    return this.log.flatMap((line) => {
      if (!line.includes('"msg":"answered"')) return [];
      return [JSON.parse(line) as Answered];
    });
  }

  /** SIGTERM (the bot leaves its group), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    await this.terminate(10_000);
  }
}
