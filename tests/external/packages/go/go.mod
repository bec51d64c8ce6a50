module example.com/stats-consumer

go 1.19

require github.com/wa-stats/wa-stats/bindings/go v0.1.0

// The module path cannot be fetched yet: use a copy of bindings/go (or a checkout of wa-stats).
replace github.com/wa-stats/wa-stats/bindings/go => ./third_party/wastats
