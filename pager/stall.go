package pager

import "fmt"

// keyWindowPages is how many of the latest pages' keys WithItemKeys
// remembers.
const keyWindowPages = 10

// newNovelty makes, for one walk, a function that reports whether a page
// brings an item the walk has not seen, and records the page's items as
// seen. It is called in page order on the goroutine that delivers pages.
type newNovelty[P any] func() func(page P) bool

// noveltyFor returns the novelty check that WithItemKeys set in c for pages
// of type P, or nil if none was set. When the option was made for another
// page type, a programming error found when the walk is created, it sets
// c.err to an error naming the caller, which the walk then returns before
// fetching anything: bad input gets an error, not a panic.
func noveltyFor[P any](c *config, caller string) newNovelty[P] {
	if c.novelty == nil {
		return nil
	}
	nn, ok := c.novelty.(newNovelty[P])
	if !ok {
		c.err = fmt.Errorf("pager: %s called with WithItemKeys for a page type other than %T; nothing was fetched", caller, *new(P))
		return nil
	}
	return nn
}

// keyWindow remembers the keys of the last few pages.
type keyWindow[K comparable] struct {
	pages [][]K       // ring of the remembered pages' keys
	next  int         // where the next page's keys go in pages
	count map[K]int32 // how many remembered pages carry each key
}

func newKeyWindow[K comparable](n int) *keyWindow[K] {
	return &keyWindow[K]{pages: make([][]K, n)}
}

// add reports whether keys holds one not among the remembered pages', then
// remembers keys in place of the oldest page's.
func (w *keyWindow[K]) add(keys []K) bool {
	if w.count == nil { // sized for a full window of pages like the first
		w.count = make(map[K]int32, len(keys)*len(w.pages))
	}
	fresh := false
	for _, k := range keys {
		if w.count[k] == 0 {
			fresh = true
			break
		}
	}
	for _, k := range w.pages[w.next] {
		if w.count[k]--; w.count[k] <= 0 {
			delete(w.count, k)
		}
	}
	for _, k := range keys {
		w.count[k]++
	}
	w.pages[w.next] = keys
	w.next = (w.next + 1) % len(w.pages)
	return fresh
}

// stallCount counts the pages in a row that brought no new item.
type stallCount struct {
	run  int // stale pages in a row
	from int // the first of them
}

// check records whether page pageNo brought a new item and returns the
// error that ends the walk once StallLimit pages in a row brought none.
func (s *stallCount) check(pageNo int, fresh bool) error {
	if fresh {
		s.run = 0
		return nil
	}
	if s.run == 0 {
		s.from = pageNo
	}
	s.run++
	if s.run < StallLimit {
		return nil
	}
	return &PageError{PageNo: pageNo, Err: fmt.Errorf(
		"%w: pages %d to %d brought no item not seen before (does the server ignore the page number?)",
		ErrStalled, s.from, pageNo)}
}
