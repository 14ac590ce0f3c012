//go:build !pocketsphinx

package transcribe

func init() {
	Register(PocketSphinxName, Factory{
		Info: func() Info {
			return Info{Name: PocketSphinxName, Description: "PocketSphinx, in process and offline; US English only", Offline: true, Languages: []string{"en"},
				Unavailable: "this build was made without PocketSphinx; install libpocketsphinx-dev and pocketsphinx-en-us, then rebuild with 'make build' (it sets the pocketsphinx build tag when pkg-config finds the library)"}
		},
		New: func(Config) (Engine, error) { return nil, ErrUnavailable },
	})
}
