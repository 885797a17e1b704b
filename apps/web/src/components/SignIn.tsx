import { useEffect, useState, type FormEvent } from "react";
import { serverInfo } from "../api.js";
import { userOfToken, type Session } from "../session.js";
import { ErrorNote } from "./ErrorNote.js";

const USER_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
const ENDPOINT_KEY = "parley.tokenEndpoint";

/** Sign in: a name in dev mode; otherwise a pasted token or one fetched from a token endpoint. */
export function SignIn({ onSignIn }: { onSignIn: (session: Session) => void }) {
  const [dev, setDev] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState("");
  useEffect(() => {
    serverInfo().then(
      (info) => setDev(info.dev),
      () => setDev(false),
    );
  }, []);
  return (
    <main className="signin">
      <h1>Parley</h1>
      {dev === undefined ? (
        <p role="status">Contacting the server…</p>
      ) : dev ? (
        <DevForm onSignIn={onSignIn} setError={setError} />
      ) : (
        <TokenForm onSignIn={onSignIn} setError={setError} />
      )}
      <ErrorNote text={error} />
    </main>
  );
}

interface FormProps {
  onSignIn: (session: Session) => void;
  setError: (message: string) => void;
}

function DevForm({ onSignIn, setError }: FormProps) {
  const [name, setName] = useState("");
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    if (!USER_PATTERN.test(name)) return setError("Use 1–64 letters, digits, and . _ @ -");
    onSignIn({ user: name });
  };
  return (
    <form onSubmit={submit}>
      <p>This server runs in dev mode: pick any name.</p>
      <label htmlFor="signin-name">Your name</label>
      <input
        id="signin-name"
        autoFocus
        autoComplete="username"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button type="submit">Sign in</button>
    </form>
  );
}

function TokenForm({ onSignIn, setError }: FormProps) {
  const [token, setToken] = useState("");
  const [endpoint, setEndpoint] = useState(() => localStorage.getItem(ENDPOINT_KEY) ?? "");
  const useToken = (value: string) => {
    const user = userOfToken(value.trim());
    if (!user) return setError("That token has no user (`sub` claim).");
    onSignIn({ user, token: value.trim() });
  };
  // Never rejects (a failure shows in the form), so the submit handler may drop its promise.
  const fetchToken = async (ev: FormEvent) => {
    ev.preventDefault();
    try {
      localStorage.setItem(ENDPOINT_KEY, endpoint);
      const res = await fetch(endpoint, { credentials: "include" });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      const text = (await res.text()).trim();
      useToken(text.startsWith("{") ? String((JSON.parse(text) as { token?: unknown }).token ?? "") : text);
    } catch (err) {
      setError(`Could not get a token: ${(err as Error).message}`);
    }
  };
  return (
    <>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          useToken(token);
        }}
      >
        <label htmlFor="signin-token">Access token (JWT)</label>
        <textarea id="signin-token" rows={3} value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit">Sign in with token</button>
      </form>
      <form onSubmit={(ev) => void fetchToken(ev)}>
        <label htmlFor="signin-endpoint">Token endpoint URL</label>
        <input
          id="signin-endpoint"
          type="url"
          placeholder="https://example.com/parley-token"
          value={endpoint}
          onChange={(e) => setEndpoint(e.target.value)}
        />
        <button type="submit">Get a token</button>
      </form>
    </>
  );
}
