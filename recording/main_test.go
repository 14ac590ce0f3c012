package recording_test

import (
	"testing"

	"github.com/voicenotes/voicenotes/internal/testchild"
)

func TestMain(m *testing.M) { testchild.Main(m) }
