// Splits what a client sends into whole commands: a line, or lines joined by literals (`{n}` at
// the end of a line, then n bytes). A synchronizing literal (`{n}`) is asked for with a `+`;
// a non-synchronizing one (`{n+}`, LITERAL+) is not. Literal bytes are kept as they came.

export interface RawCommand {
  /** The text pieces (latin1, CRLF removed); every piece but the last ends with a literal announcement. */
  text: string[]
  literals: Buffer[]
}

export class CommandReader {
  private buf: Buffer = Buffer.alloc(0)
  private text: string[] = []
  private literals: Buffer[] = []
  private literalLeft = -1

  constructor(
    private readonly onCommand: (c: RawCommand) => void,
    /** Called for a synchronizing literal: answer `+` (true) or refuse it with a tagged NO (the text). */
    private readonly onLiteral: (size: number, text: string) => true | string,
    private readonly maxLine = 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    for (;;) {
      if (this.literalLeft >= 0) {
        if (this.buf.length < this.literalLeft) return
        this.literals.push(Buffer.from(this.buf.subarray(0, this.literalLeft)))
        this.buf = this.buf.subarray(this.literalLeft)
        this.literalLeft = -1
        continue
      }
      const lf = this.buf.indexOf(10)
      if (lf < 0) {
        if (this.buf.length > this.maxLine) throw new Error('line too long')
        return
      }
      const line = this.buf.toString('latin1', 0, lf > 0 && this.buf[lf - 1] === 13 ? lf - 1 : lf)
      this.buf = this.buf.subarray(lf + 1)
      this.text.push(line)
      const lit = /\{(\d+)(\+?)\}$/.exec(line)
      if (lit) {
        const size = Number(lit[1])
        if (!lit[2]) {
          const answer = this.onLiteral(size, this.text.join(''))
          if (answer !== true) {
            // refused: the client sends no bytes, and the command is over
            this.text = []
            this.literals = []
            continue
          }
        }
        this.literalLeft = size
        continue
      }
      const cmd = { text: this.text, literals: this.literals }
      this.text = []
      this.literals = []
      this.onCommand(cmd)
    }
  }
}
