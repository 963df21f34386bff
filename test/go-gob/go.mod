module snetd-ts/test/go-gob

go 1.19
