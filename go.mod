module github.com/livempu/livempu-go

go 1.24
