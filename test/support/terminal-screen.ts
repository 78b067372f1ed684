// A terminal for tests: a Writable that says it is a TTY and keeps the screen its escape
// sequences (cursor moves, clears, save/restore) would leave, line by line.
import { Writable } from 'node:stream'

export class Screen extends Writable {
  isTTY = true
  columns = 100
  lines: string[] = ['']
  row = 0
  col = 0
  saved = { row: 0, col: 0 }
  raw = ''
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.raw += chunk.toString()
    this.feed(chunk.toString())
    done()
  }
  private put(ch: string): void {
    while (this.lines.length <= this.row) this.lines.push('')
    const l = this.lines[this.row]!.padEnd(this.col)
    this.lines[this.row] = l.slice(0, this.col) + ch + l.slice(this.col + 1)
    this.col++
  }
  feed(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!
      if (ch === '\x1b') {
        if (s[i + 1] === '7') { this.saved = { row: this.row, col: this.col }; i++; continue }
        if (s[i + 1] === '8') { ({ row: this.row, col: this.col } = this.saved); i++; continue }
        const m = /^\x1b\[(\??)([\d;]*)([A-Za-z])/.exec(s.slice(i))
        if (!m) throw new Error(`unknown escape at ${JSON.stringify(s.slice(i, i + 8))}`)
        i += m[0].length - 1
        if (m[1] === '?') continue // cursor visibility, line wrap
        const n = m[2] === '' ? undefined : Number(m[2]!.split(';')[0])
        switch (m[3]) {
          case 'A': this.row = Math.max(0, this.row - (n ?? 1)); break
          case 'B': this.row += n ?? 1; break
          case 'C': this.col += n ?? 1; break
          case 'D': this.col = Math.max(0, this.col - (n ?? 1)); break
          case 'G': this.col = (n ?? 1) - 1; break
          case 'K': {
            while (this.lines.length <= this.row) this.lines.push('')
            const l = this.lines[this.row]!
            this.lines[this.row] = n === 2 ? '' : n === 1 ? ' '.repeat(this.col) + l.slice(this.col) : l.slice(0, this.col)
            break
          }
          case 'J': this.lines = this.lines.slice(0, this.row + 1); this.lines[this.row] = this.lines[this.row]!.slice(0, this.col); break
          default: throw new Error(`unhandled escape ${m[0]}`)
        }
      } else if (ch === '\n') { this.row++; this.col = 0 }
      else if (ch === '\r') this.col = 0
      else this.put(ch)
    }
    while (this.lines.length <= this.row) this.lines.push('')
  }
  text(): string[] {
    return this.lines.map((l) => l.trimEnd()).filter((l, i, all) => l !== '' || i < all.length - 1).filter((l) => l !== '')
  }
}
