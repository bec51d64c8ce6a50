module github.com/wa-stats/wa-stats/bindings/go

go 1.19
