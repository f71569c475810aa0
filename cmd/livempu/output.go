package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/livempu/livempu-go/pager"
)

// schema says how one kind of item is written in each format.
type schema[T any] struct {
	// appendJSON appends the item as one JSON object, without a newline.
	appendJSON func(dst []byte, item T) ([]byte, error)
	// csvHeader and csvRow give the CSV columns and an item's cells.
	csvHeader []string
	csvRow    func(item T) []string
	// tableHeader and tableRow give the table columns and an item's cells.
	tableHeader []string
	tableRow    func(item T) []string
}

// flushThreshold is how much buffered output makes write pass it on
// before the page ends.
const flushThreshold = 64 << 10

// output writes items to stdout in one format, as a stream: NDJSON lines,
// the elements of one JSON array, CSV records after a header row, or table
// rows after a header. Items are collected in memory and handed to stdout
// only whole, in one Write per flush, at the end of each page (see flush)
// or when a buffer fills; so an interrupted run never leaves a partial line,
// and close always completes the document.
type output[T any] struct {
	format string
	s      schema[T]
	buf    chunkWriter
	csv    *csv.Writer
	table  *tableWriter
	count  int
	closed bool
	// beforeFlush, when set, runs before anything is written to stdout
	// (the walk uses it to erase the progress line sharing the terminal).
	beforeFlush func()
}

// newOutput returns an output of format to w.
func newOutput[T any](w io.Writer, format string, s schema[T]) *output[T] {
	o := &output[T]{format: format, s: s, buf: chunkWriter{w: w}}
	switch format {
	case formatCSV:
		o.csv = csv.NewWriter(&o.buf)
	case formatTable:
		o.table = newTableWriter(&o.buf)
	}
	return o
}

// write adds one item.
func (o *output[T]) write(item T) error {
	if err := o.buf.err; err != nil {
		return err
	}
	switch o.format {
	case formatNDJSON, formatJSON:
		start := len(o.buf.b)
		if o.format == formatJSON {
			if o.count == 0 {
				o.buf.b = append(o.buf.b, "[\n"...)
			} else {
				o.buf.b = append(o.buf.b, ",\n"...)
			}
		}
		b, err := o.s.appendJSON(o.buf.b, item)
		if err != nil {
			o.buf.b = o.buf.b[:start]
			return err
		}
		o.buf.b = b
		if o.format == formatNDJSON {
			o.buf.b = append(o.buf.b, '\n')
		}
	case formatCSV:
		if o.count == 0 {
			if err := o.csv.Write(o.s.csvHeader); err != nil {
				return err
			}
		}
		if err := o.csv.Write(csvSafe(o.s.csvRow(item))); err != nil {
			return err
		}
		o.csv.Flush() // into buf, so that buf holds whole records only
		if err := o.csv.Error(); err != nil {
			return err
		}
	case formatTable:
		if o.count == 0 {
			o.table.row(o.s.tableHeader)
		}
		o.table.row(o.s.tableRow(item))
	}
	o.count++
	if len(o.buf.b) >= flushThreshold {
		o.announceFlush()
		return o.buf.flush()
	}
	return nil
}

// announceFlush calls beforeFlush if something is about to be written.
func (o *output[T]) announceFlush() {
	if o.beforeFlush != nil && o.pending() {
		o.beforeFlush()
	}
}

// pending reports whether flush would write anything.
func (o *output[T]) pending() bool {
	return len(o.buf.b) > 0 || (o.table != nil && o.table.rows > 0)
}

// flush passes every item written so far on to stdout. It is called at the
// end of each page, so that output streams as pages arrive.
func (o *output[T]) flush() error {
	o.announceFlush()
	if o.table != nil {
		if err := o.table.flush(); err != nil {
			return err
		}
	}
	return o.buf.flush()
}

// close completes the document (the header of an empty CSV or table, the
// brackets of a JSON array) and flushes. It is safe to call more than once.
func (o *output[T]) close() error {
	if o.closed {
		return o.buf.err
	}
	o.closed = true
	switch o.format {
	case formatJSON:
		if o.count == 0 {
			o.buf.b = append(o.buf.b, "[]\n"...)
		} else {
			o.buf.b = append(o.buf.b, "\n]\n"...)
		}
	case formatCSV:
		if o.count == 0 {
			_ = o.csv.Write(o.s.csvHeader)
			o.csv.Flush()
		}
	case formatTable:
		if o.count == 0 {
			o.table.row(o.s.tableHeader)
		}
	}
	return o.flush()
}

// csvSafe neutralises the cells of a CSV record that a spreadsheet would
// run as a formula (CSV injection): a cell beginning with '=', '+', '-',
// '@', a tab or a carriage return gets a leading single quote, so that the
// spreadsheet shows it as text. A cell that is a plain decimal number
// ("-1", "-0.5") is left as it is: no spreadsheet runs it as a formula, and
// a negative error code should stay a number. It modifies cells in place
// and returns them.
func csvSafe(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.IndexByte("=+-@\t\r", c[0]) >= 0 && !isDecimal(c) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// isDecimal reports whether s is an optional '-', one or more digits, and
// optionally a '.' and one or more digits.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	return allDigits(whole) && (!dot || allDigits(frac))
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// chunkWriter collects output in memory; flush hands it on in a single
// Write. Its users call flush only when it holds whole lines. After a write
// error it keeps failing with that error.
type chunkWriter struct {
	w   io.Writer
	b   []byte
	err error
}

// Write appends p to the buffer; it never fails.
func (c *chunkWriter) Write(p []byte) (int, error) {
	c.b = append(c.b, p...)
	return len(p), nil
}

// flush writes the buffer in one Write and empties it.
func (c *chunkWriter) flush() error {
	if c.err != nil {
		return c.err
	}
	if len(c.b) == 0 {
		return nil
	}
	_, err := c.w.Write(c.b)
	if len(c.b) > 4*flushThreshold { // let an unusually large buffer go
		c.b = nil
	} else {
		c.b = c.b[:0]
	}
	c.err = err
	return err
}

// tableWriter writes aligned columns with text/tabwriter, flushed page by
// page. Because tabwriter aligns each flushed block on its own, every cell
// is padded to the widest cell its column has had so far: later pages line
// up with earlier ones unless they hold a wider cell.
type tableWriter struct {
	tw     *tabwriter.Writer
	widths []int
	rows   int // rows since the last flush
}

// newTableWriter returns a tableWriter to w.
func newTableWriter(w io.Writer) *tableWriter {
	return &tableWriter{tw: tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)}
}

// row adds one row. The last cell is not padded, so lines carry no trailing
// blanks.
func (t *tableWriter) row(cells []string) {
	if len(t.widths) < len(cells) {
		t.widths = append(t.widths, make([]int, len(cells)-len(t.widths))...)
	}
	var b strings.Builder
	for i, c := range cells {
		c = tableCell(c)
		if i == len(cells)-1 {
			b.WriteString(c)
			break
		}
		n := utf8.RuneCountInString(c)
		t.widths[i] = max(t.widths[i], n)
		b.WriteString(c)
		b.WriteString(strings.Repeat(" ", t.widths[i]-n))
		b.WriteByte('\t')
	}
	b.WriteByte('\n')
	_, _ = io.WriteString(t.tw, b.String()) // tabwriter only fails if its writer does; ours never does
	t.rows++
}

// flush aligns and writes the rows added since the last flush.
func (t *tableWriter) flush() error {
	t.rows = 0
	return t.tw.Flush()
}

// maxCellRunes bounds a table cell; longer text is cut with an ellipsis.
const maxCellRunes = 72

// tableCell makes text fit a table cell: control characters (tabs and
// newlines included) become spaces, an empty cell becomes "-", and long
// text is shortened.
func tableCell(s string) string {
	if s == "" {
		return "-"
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > maxCellRunes {
		r := []rune(s)
		s = string(r[:maxCellRunes-1]) + "…"
	}
	return s
}

// progress draws a one-line progress report (pages, items, rate) on stderr
// when stderr is a terminal, and nothing otherwise.
type progress struct {
	w       io.Writer
	enabled bool
	noun    string
	now     func() time.Time
	start   time.Time
	last    time.Time // when the line was last drawn
	drawn   bool      // the line is on screen
	pages   int
	listed  int
}

// progressEvery limits how often the line is redrawn.
const progressEvery = 100 * time.Millisecond

// newProgress returns a progress line on w, drawn only if enabled.
func newProgress(w io.Writer, enabled bool, noun string, now func() time.Time) *progress {
	return &progress{w: w, enabled: enabled, noun: noun, now: now, start: now()}
}

// page records a delivered page and redraws the line (at most every
// progressEvery). written counts the items written; with filtered, the
// line shows both the items listed and those written.
func (p *progress) page(info pager.PageInfo, written int, filtered bool) {
	p.pages, p.listed = info.PagesSoFar, info.ItemsSoFar
	if !p.enabled {
		return
	}
	now := p.now()
	if p.drawn && now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(info.ItemsSoFar) / elapsed
	}
	line := fmt.Sprintf("%d pages, %d %s", info.PagesSoFar, info.ItemsSoFar, p.noun)
	if filtered {
		line += fmt.Sprintf(", %d kept", written)
	}
	line += fmt.Sprintf(", %.0f/s", rate)
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.drawn = true
}

// clear erases the line, if drawn.
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// done prints a summary of a successful walk, on a terminal only: written
// items were written of listed ones. A walk stopped by --max-items in the
// middle of a page was not told about that page, which is counted here.
func (p *progress) done(written, listed int) {
	if !p.enabled {
		return
	}
	pages := p.pages
	if listed > p.listed {
		pages++
	}
	d := p.now().Sub(p.start).Round(time.Millisecond)
	if written == 0 {
		fmt.Fprintf(p.w, "no %s found (%d listed, %d pages, %v)\n", p.noun, listed, pages, d)
		return
	}
	fmt.Fprintf(p.w, "%d %s written (%d listed, %d pages, %v)\n", written, p.noun, listed, pages, d)
}
