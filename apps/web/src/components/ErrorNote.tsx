/** A failure said where it happened, read out by screen readers (nothing when `text` is empty). */
export function ErrorNote({ text }: { text: string }) {
  return text ? (
    <p role="alert" className="error">
      {text}
    </p>
  ) : null;
}
