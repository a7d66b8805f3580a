module github.com/softfax/softfax

go 1.26.0

require (
	github.com/creack/pty v1.1.24
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
	github.com/emersion/go-smtp v0.25.1
	github.com/fsnotify/fsnotify v1.10.1
	github.com/jung-kurt/gofpdf v1.16.2
	github.com/pelletier/go-toml/v2 v2.4.3
	golang.org/x/image v0.48.0
	golang.org/x/sys v0.50.0
)

require golang.org/x/text v0.44.0 // indirect
