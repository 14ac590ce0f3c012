# Voice Notes. `make run` and `make test` do all the set-up on Debian/Ubuntu.
SHELL := /bin/bash
export LANG := en_US.UTF-8
export LC_ALL := en_US.UTF-8
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
BINARY := voicenotes
# Fuzzing budgets are counts of inputs, about ten seconds each here: a
# duration budget trips a race in Go 1.26's fuzz coordinator that fails the
# run with "context deadline exceeded" and no crasher (go.dev/issue/75804,
# fixed in Go 1.27; seen here on a fresh machine's first make test).
FUZZ_ROUNDTRIP ?= 50000x
FUZZ_PARSE ?= 250000x
FUZZ_FASTYAML ?= 400000x
FUZZ_MERGE ?= 50000x
SCREENSHOTS ?=
# The in-process PocketSphinx engine is built when pkg-config finds it.
# What set-up installs decides these, so they are evaluated lazily: the
# first time a recipe uses them, which is after the `setup` prerequisite
# ran (a `:=` here would be computed when make reads this file, before
# set-up, and a fresh machine's first `make test` would build without the
# engine). Each is computed once, then kept.
TAGS = $(eval TAGS := $(shell pkg-config --exists pocketsphinx 2>/dev/null && echo pocketsphinx))$(TAGS)
MODELDIR = $(eval MODELDIR := $(shell pkg-config --variable=modeldir pocketsphinx 2>/dev/null))$(MODELDIR)
LDFLAGS = -X github.com/voicenotes/voicenotes/transcribe.modelDir=$(MODELDIR)
GOFLAGS_ALL = -tags '$(TAGS)' -ldflags '$(LDFLAGS)'

.PHONY: all setup build run test test-all rest unit e2e fuzz crosscheck wine package-windows lint bench package install uninstall clean

all: build

setup:
	@scripts/setup.sh

# migrated_fynedo: the app as `fyne package` builds it (FyneApp.toml
# declares the fyne.Do migration), without Fyne's per-call thread checks.
# The unit tests keep the checks.
build: setup
	$(GO) build -tags '$(TAGS) migrated_fynedo' -ldflags '$(LDFLAGS)' -o $(BINARY) .

run: build
	./$(BINARY)

# Everything CI runs: lint, the unit and integration tests with the race
# detector, a short fuzzing run of each fuzz target, the cross-builds and
# the package. A test run must leave the work tree as it found it: the
# output of `git status --porcelain` is compared before and after.
test:
	@before="$$(git status --porcelain 2>/dev/null)"; \
	$(MAKE) --no-print-directory test-all || exit 1; \
	if git rev-parse --git-dir >/dev/null 2>&1; then \
	  after="$$(git status --porcelain)"; \
	  if [ "$$before" != "$$after" ]; then \
	    echo "make test changed the work tree (git status --porcelain before and after):"; \
	    diff <(echo "$$before") <(echo "$$after"); exit 1; \
	  fi; \
	  echo "make test: passed, and the work tree is as it was"; \
	fi

# After lint, two lanes at once: the unit tests, and the rest one after
# another (e2e, wine, fuzz, crosscheck, package). The unit tests keep one
# core busy for 87% of their 12 minutes here and mostly wait on real time
# (audio played into the virtual microphone, processes started and
# killed), so the second lane fits beside them: 22 minutes in a row, 14
# side by side. Each target's output is printed whole when it ends
# (--output-sync). The lanes are one more program beside each other, as
# on a loaded machine, where every test must pass anyway.
test-all: setup lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target unit rest

rest: setup
	@$(MAKE) --no-print-directory e2e && $(MAKE) --no-print-directory wine && \
	  $(MAKE) --no-print-directory fuzz && $(MAKE) --no-print-directory crosscheck && \
	  $(MAKE) --no-print-directory package

# -race turns on checkptr, which trips over the PortAudio binding passing a
# stream id through a void* (upstream's code, not a real pointer); it is
# turned off for that one package only.
RACE := -race -gcflags=github.com/gordonklaus/portaudio=-d=checkptr=0

# -p 1: the real-time audio tests share two cores with nothing else, as a
# person's recording would; run side by side with race-instrumented
# packages they measure the load, not the app.
# A package may take up to 20 minutes (go test's own limit is 10): the ui
# package under -race takes about 2 on a quiet machine, and a loaded one
# stretched it past 10 once; a test that hangs is named with its goroutines.
# Every test that was skipped is listed at the end with its reason
# (internal/testsummary): on a machine with every component there are none.
# GORACE's atexit_sleep_ms=0: a race-instrumented program sleeps a second
# as it exits, by default, so that threads still running can report a race
# before the end; the tests start a few hundred such programs (children
# killed or run to their end, the CLI) and wait for each to end. A race is
# still reported where it happens, while the program runs.
unit: setup
	@set -o pipefail; GORACE=atexit_sleep_ms=0 $(GO) test $(GOFLAGS_ALL) $(RACE) -p 1 -count=1 -timeout 20m -json ./... | $(GO) run ./internal/testsummary

# The real binary in Xvfb with the virtual microphone, driven by xdotool.
# SCREENSHOTS=docs/screenshots refreshes the README's pictures.
e2e: setup
	@set -o pipefail; VOICENOTES_SCREENSHOTS=$(abspath $(SCREENSHOTS)) $(GO) test -tags 'e2e $(TAGS)' -count=1 -json ./e2e | $(GO) run ./internal/testsummary

fuzz: setup
	$(GO) test -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZ_ROUNDTRIP) ./persistence
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZ_PARSE) ./persistence
	$(GO) test -run '^$$' -fuzz '^FuzzFastYAML$$' -fuzztime $(FUZZ_FASTYAML) ./persistence
	$(GO) test -run '^$$' -fuzz '^FuzzWords$$' -fuzztime $(FUZZ_MERGE) ./merge

# Every package that needs no cgo (all but the device, the window and the
# CLI that opens them) must build for the other desktops: Windows, and
# macOS on Apple silicon and Intel.
WINETESTED := ./persistence/... ./audio ./recording ./transcribe ./transform ./instance ./settings ./export ./keyboard ./cli
NOCGO := ./persistence/... ./audio ./recording ./transcribe ./transform ./keyboard ./session ./instance ./settings ./export ./internal/...
crosscheck:
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -o /dev/null $(NOCGO)
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null $(NOCGO)
	GOOS=darwin GOARCH=amd64 CGO_ENABLED=0 $(GO) build -o /dev/null $(NOCGO)

# The Windows build of the packages that need no cgo, run under Wine: the
# atomic writer, locks, the kill harness, recording and crash recovery as
# Windows does them (share modes, write-through renames, TerminateProcess).
wine: setup package-windows
	VOICENOTES_WINDOWS_EXE="$(CURDIR)/dist/windows/Voice Notes/Voice Notes.exe" scripts/wine-test.sh

# dist/Voice Notes-windows-amd64.zip: "Voice Notes.exe", cross-compiled with
# MinGW-w64 against PortAudio and PocketSphinx built from Debian's source
# packages (cached outside the tree) and checked, with the English model.
package-windows: setup
	scripts/windows/package.sh

# Twice: with the tags this machine builds with, and without PocketSphinx
# (what a packager without it builds), so code only one build uses lives
# in files tagged for it.
lint: setup
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet -tags 'e2e wine $(TAGS)' ./...
	$(GOBIN)/staticcheck -tags 'e2e wine $(TAGS)' ./...
	$(GO) vet -tags 'e2e wine' ./...
	$(GOBIN)/staticcheck -tags 'e2e wine' ./...
	@# Tests that run under Wine (make wine) take their folders from
	@# internal/tempdir: t.TempDir's cleanup fails there (see its doc).
	@bad="$$(GOOS=windows CGO_ENABLED=1 $(GO) list -e -f '{{range .TestGoFiles}}{{$$.Dir}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$$.Dir}}/{{.}} {{end}}' $(WINETESTED) | xargs grep -l 't\.TempDir()' || true)"; \
	  if [ -n "$$bad" ]; then echo "use tempdir.New(t), not t.TempDir(), in tests run under Wine:"; echo "$$bad"; exit 1; fi

# Speed and memory, as ratios against a floor or peer measured in the same
# run, with the targets beside them. The capture benchmark pushes an hour of
# audio through the recorder at 60x real time (about a minute).
bench: setup
	@set -o pipefail; { $(GO) test -run '^$$' -bench . -benchtime 100x ./persistence && \
	  $(GO) test -run '^$$' -bench . -benchtime 1x ./audio ./recording && \
	  $(GO) test -run '^$$' -bench . -benchtime 10x ./timeline ./merge && \
	  $(GO) test -run '^$$' -bench . -benchtime 10x ./transform && \
	  $(GO) test $(GOFLAGS_ALL) -run '^$$' -bench . -benchtime 3x ./transcribe && \
	  $(GO) test -run '^$$' -bench . -benchtime 20x ./ui && \
	  $(GO) test -run '^$$' -bench Moments -benchtime 3x ./session && \
	  $(GO) test $(GOFLAGS_ALL) -run '^$$' -bench ListStartup -benchtime 40x . && \
	  $(GO) test $(GOFLAGS_ALL) -run '^$$' -bench CommandsAtScale -benchtime 1x -timeout 30m . && \
	  $(GO) test -tags 'e2e $(TAGS)' -run '^$$' -bench 'Launch10k|RecordStart' -benchtime 5x ./e2e && \
	  $(GO) test -tags 'e2e $(TAGS)' -run '^$$' -bench 'SearchPainted|Idle' -benchtime 1x -timeout 20m ./e2e && \
	  $(GO) test -tags 'e2e $(TAGS)' -run '^$$' -bench 'DictationToText' -benchtime 10x -timeout 20m ./e2e; } | tee /dev/stderr | $(GO) run ./internal/benchtable

# The Linux archive, made by the fyne CLI from FyneApp.toml, and checked.
PACKAGE := Voice Notes.tar.xz
# fyne package adds one to Build in FyneApp.toml each time; a package made
# here keeps the committed build number, so the tree stays as it was.
package: setup
	@cp FyneApp.toml .FyneApp.toml.keep; \
	$(GOBIN)/fyne package --target linux --tags '$(TAGS)' --release; rc=$$?; \
	mv .FyneApp.toml.keep FyneApp.toml; exit $$rc
	scripts/check-package.sh "$(PACKAGE)"

# A per-user install on Linux: binary, desktop entry and icon.
PREFIX ?= $(HOME)/.local
APPID := io.github.voicenotes
install: build
	install -Dm755 $(BINARY) "$(DESTDIR)$(PREFIX)/bin/voicenotes"
	install -Dm644 assets/icon.png "$(DESTDIR)$(PREFIX)/share/icons/hicolor/512x512/apps/$(APPID).png"
	install -d "$(DESTDIR)$(PREFIX)/share/applications"
	printf '%s\n' '[Desktop Entry]' 'Type=Application' 'Name=Voice Notes' 'GenericName=Voice recorder' \
	  'Comment=Record voice notes, transcribe them offline and keep them as Markdown files' \
	  'Exec=$(PREFIX)/bin/voicenotes' 'Icon=$(APPID)' 'Categories=AudioVideo;Audio;Office;' \
	  'StartupWMClass=Voice Notes' > "$(DESTDIR)$(PREFIX)/share/applications/$(APPID).desktop"
	@if command -v update-desktop-database >/dev/null; then update-desktop-database "$(DESTDIR)$(PREFIX)/share/applications"; fi

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/voicenotes" \
	  "$(DESTDIR)$(PREFIX)/share/icons/hicolor/512x512/apps/$(APPID).png" \
	  "$(DESTDIR)$(PREFIX)/share/applications/$(APPID).desktop"

clean:
	rm -f $(BINARY) "$(PACKAGE)"
