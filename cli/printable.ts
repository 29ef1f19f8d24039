// Text that came from the agent or the server (ticket subjects, notes, names, error messages) is
// written by other people: printed as it is, an escape sequence in it could rewrite the terminal
// (move the cursor, change the title, fake a prompt, hide lines). Control characters are shown
// escaped instead; line breaks and tabs are kept only where a block of text is printed.

// C0 controls, DEL, C1 controls, and the bidi overrides/isolates that reorder what is shown.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above, without \n and \t
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** For one line: every control character escaped, line breaks included. */
export function printable(text: string): string {
  return text.replace(CONTROL, escape);
}

/** For a block (a description, a note): keeps \n and \t, escapes the rest; \r too, which could
 * overwrite the line already printed. */
export function printableBlock(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escape);
}
