import { useState, type FormEvent } from "react";

/** Asks for the admin server key; `error` says why the last one was refused. */
export function KeyForm(props: { onKey: (key: string) => void; error: string | undefined; checking: boolean }) {
  const [key, setKey] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) props.onKey(key.trim());
  };
  return (
    <main className="key-form">
      <h1>Parley admin</h1>
      <form onSubmit={submit}>
        <label htmlFor="admin-key">Admin key</label>
        <p id="admin-key-help">
          A server key with the <code>admin</code> scope (<code>parley server-key --scopes admin</code>). It is kept
          only in this tab (sessionStorage).
        </p>
        <input
          id="admin-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="admin-key-help"
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
        <button type="submit" disabled={props.checking || !key.trim()}>
          Open dashboard
        </button>
      </form>
      {props.error && (
        <p role="alert" className="error">
          {props.error}
        </p>
      )}
    </main>
  );
}
