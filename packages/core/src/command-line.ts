/**
 * Splits a command written as one line (`nginx -t -c "/etc/my nginx/nginx.conf"`)
 * into a program and its arguments, the way a POSIX shell would split words,
 * but without a shell: no variables, globs, pipes or substitutions are ever
 * interpreted, so an input can never run something other than the program it
 * names. Single quotes keep everything literally; double quotes keep
 * everything but `\"` and `\\`; a backslash outside quotes escapes the next
 * character. Returns undefined when a quote is left open or the line is empty.
 */
export function splitCommand(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words.length ? words : undefined;
}
