package transform

import (
	"testing"

	"github.com/voicenotes/voicenotes/internal/testchild"
)

func TestMain(m *testing.M) { testchild.Main(m) }
