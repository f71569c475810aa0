package pager_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/livempu/livempu-go/pager"
)

// listResponse stands for an API response that pages by number.
type listResponse struct {
	RequestID string
	Names     []string
	HasMore   bool
}

// listNames stands for an API client call; it serves 5 names, 2 per page.
func listNames(_ context.Context, pageNo, pageSize int) (listResponse, error) {
	all := []string{"ann", "bob", "cy", "dee", "eve"}
	lo := min((pageNo-1)*pageSize, len(all))
	hi := min(lo+pageSize, len(all))
	return listResponse{
		RequestID: fmt.Sprintf("req-%d", pageNo),
		Names:     all[lo:hi],
		HasMore:   hi < len(all),
	}, nil
}

// fetchNames adapts listNames to a FetchFunc, reporting the API's HasMore.
// For an API without such a flag, report len(resp.Names) == pageSize.
func fetchNames(ctx context.Context, pageNo int) (listResponse, bool, error) {
	resp, err := listNames(ctx, pageNo, 2)
	return resp, resp.HasMore, err
}

func names(r listResponse) []string { return r.Names }

func ExampleItems() {
	ctx := context.Background()
	for name, err := range pager.Items(ctx, fetchNames, names) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(name)
	}
	// Output:
	// ann
	// bob
	// cy
	// dee
	// eve
}

func ExamplePages() {
	ctx := context.Background()
	count := func(r listResponse) int { return len(r.Names) }
	for resp, err := range pager.Pages(ctx, fetchNames, count) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(resp.RequestID, resp.Names)
	}
	// Output:
	// req-1 [ann bob]
	// req-2 [cy dee]
	// req-3 [eve]
}

func ExamplePaginator() {
	ctx := context.Background()
	count := func(r listResponse) int { return len(r.Names) }
	p := pager.NewPaginator(fetchNames, count)
	for p.HasMorePages() {
		resp, err := p.NextPage(ctx)
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(resp.RequestID, resp.Names)
	}
	_, err := p.NextPage(ctx)
	fmt.Println(err)
	// Output:
	// req-1 [ann bob]
	// req-2 [cy dee]
	// req-3 [eve]
	// pager: no more pages
}

// WithOnPage reports progress, and tells where to resume an interrupted walk.
func ExampleWithOnPage() {
	ctx := context.Background()
	progress := pager.WithOnPage(func(pi pager.PageInfo) {
		fmt.Printf("  page %d done: %d items so far\n", pi.PageNo, pi.ItemsSoFar)
	})
	for name, err := range pager.Items(ctx, fetchNames, names, progress, pager.WithMaxItems(3)) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(name)
	}
	// Output:
	// ann
	// bob
	//   page 1 done: 2 items so far
	// cy
	//   page 2 done: 3 items so far
}

// A failed walk says which page to resume from.
func ExamplePageError() {
	ctx := context.Background()
	flaky := func(ctx context.Context, pageNo int) (listResponse, bool, error) {
		if pageNo == 2 {
			return listResponse{}, false, errors.New("connection reset")
		}
		return fetchNames(ctx, pageNo)
	}
	for name, err := range pager.Items(ctx, flaky, names) {
		var pe *pager.PageError
		if errors.As(err, &pe) {
			fmt.Println("error:", err)
			fmt.Println("resume with WithFirstPage", pe.PageNo)
			break
		}
		fmt.Println(name)
	}
	// Output:
	// ann
	// bob
	// error: page 2: connection reset
	// resume with WithFirstPage 2
}
