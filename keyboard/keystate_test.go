package keyboard

import "testing"

// TestKeyState: a press is heard once however long it is held (its
// repeats come every few tens of ms after the first delay), a release
// ends it, and a press long after the last one is a new press even when
// the release between was never heard (the shortcut stayed deaf to every
// press after that before).
func TestKeyState(t *testing.T) {
	type ev struct {
		press bool
		at    uint64
	}
	type out struct{ lost, pressed, released bool }
	for _, c := range []struct {
		name   string
		events []ev
		want   []out
	}{
		{"tap", []ev{{true, 1000}, {false, 1080}}, []out{{false, true, false}, {false, false, true}}},
		{"held with repeats", []ev{{true, 1000}, {true, 1660}, {true, 1700}, {true, 1740}, {false, 1800}},
			[]out{{false, true, false}, {}, {}, {}, {false, false, true}}},
		{"held with a slow first repeat", []ev{{true, 1000}, {true, 3000}, {true, 3040}, {false, 3100}},
			[]out{{false, true, false}, {}, {}, {false, false, true}}},
		{"a lost release", []ev{{true, 1000}, {true, 9000}, {false, 9100}, {true, 12000}},
			[]out{{false, true, false}, {true, true, false}, {false, false, true}, {false, true, false}}},
		{"a release without a press", []ev{{false, 500}, {true, 1000}}, []out{{}, {false, true, false}}},
	} {
		var k keyState
		for i, e := range c.events {
			lost, pressed, released := k.event(e.press, e.at)
			if got := (out{lost, pressed, released}); got != c.want[i] {
				t.Errorf("%s: event %d %+v: %+v, want %+v", c.name, i, e, got, c.want[i])
			}
		}
	}
}
