import { useMemo, useState } from "react";
import { ParleyProvider } from "@parley/react";
import { Api } from "./api.js";
import { ChatApp } from "./components/ChatApp.js";
import { SignIn } from "./components/SignIn.js";
import { createClient, loadSession, saveSession, type Session } from "./session.js";

/** Signed out: the sign-in screen. Signed in: one client for the session, shared by every hook. */
export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const signIn = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  if (!session) return <SignIn onSignIn={signIn} />;
  return (
    <SignedIn
      key={session.user}
      session={session}
      onSignOut={() => {
        // The next user must not land in this user's room (a private one would only say "no access").
        history.replaceState(null, "", location.pathname);
        saveSession(undefined);
        setSession(undefined);
      }}
    />
  );
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { client, tracker } = useMemo(() => createClient(session), [session]);
  const api = useMemo(() => new Api(session), [session]);
  const signOut = () => {
    client.disconnect();
    onSignOut();
  };
  return (
    <ParleyProvider client={client} tracker={tracker} user={session.user}>
      <ChatApp api={api} me={session.user} onSignOut={signOut} />
    </ParleyProvider>
  );
}
