package vyre_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"example.com/vyre-go/vyre"
)

func TestScanABuffer(t *testing.T) {
	dfa, err := vyre.CompileDFA([]vyre.Pattern{
		{Expression: "secret", ID: 1, Flags: vyre.PatternLiteral},
		{Expression: "key[0-9]+", ID: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	scanner, err := vyre.NewCPUScanner(dfa, 2)
	dfa.Close() // the scanner keeps the DFA alive
	if err != nil {
		t.Fatal(err)
	}
	defer scanner.Close()

	//         0         1         2
	//         012345678901234567890123
	data := "my secret key42 and key7"
	hits, err := scanner.Scan([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	// Every match end of every pattern, sorted by (end, pattern).
	want := []vyre.Hit{{Pattern: 1, End: 9}, {Pattern: 2, End: 14}, {Pattern: 2, End: 15}, {Pattern: 2, End: 24}}
	if !reflect.DeepEqual(hits, want) {
		t.Fatalf("hits = %v, want %v", hits, want)
	}
	if hits, err := scanner.Scan(nil); err != nil || len(hits) != 0 {
		t.Fatalf("scanning nothing: %v, %v", hits, err)
	}
}

func TestBadPatternIsAnError(t *testing.T) {
	_, err := vyre.CompileDFA([]vyre.Pattern{{Expression: "ok", ID: 1}, {Expression: "(unclosed", ID: 2}})
	var vErr *vyre.Error
	if !errors.Is(err, vyre.ErrPattern) || !errors.As(err, &vErr) || !strings.HasPrefix(vErr.Message, "pattern 1:") {
		t.Fatalf("compiling an unclosed group: %v, want ErrPattern naming pattern index 1", err)
	}
	if _, err := vyre.CompileDFA(nil); !errors.Is(err, vyre.ErrInvalidArgument) {
		t.Fatalf("compiling no patterns: %v, want ErrInvalidArgument", err)
	}
}
