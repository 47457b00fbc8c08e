module example.com/vyre-go

go 1.19
