package nhsno_test

import (
	"math/rand/v2"
	"testing"

	"github.com/careweave/careweave/kit/nhsno"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{"9434765919": "9434765919", "943 476 5919": "9434765919", "943-476-5919": "9434765919"} {
		if got, err := nhsno.Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, err)
		}
	}
	for in, want := range map[string]error{
		"9434765918": nhsno.ErrCheckDigit, "943476591": nhsno.ErrFormat, "94347659190": nhsno.ErrFormat,
		"94 34765919": nhsno.ErrFormat, "943476591x": nhsno.ErrFormat, "": nhsno.ErrFormat,
	} {
		if _, err := nhsno.Parse(in); err != want {
			t.Errorf("Parse(%q) = %v, want %v", in, err, want)
		}
	}
	// 999 000 001x: weights give remainder 10 for some prefixes; no digit is valid then.
	for d := '0'; d <= '9'; d++ {
		if _, err := nhsno.Parse("999999992" + string(d)); err == nil {
			if c, ok := nhsno.CheckDigit("999999992"); !ok || byte(d) != c {
				t.Errorf("accepted 999999992%c", d)
			}
		}
	}
}

func TestSyntheticNumbersAreValidAndNeverIssued(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		n := nhsno.Synthetic(r)
		if got, err := nhsno.Parse(n); err != nil || got != n || !nhsno.IsSynthetic(n) {
			t.Fatalf("Synthetic() = %s: %v", n, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("943 476 5919")
	f.Add("9990000018")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := nhsno.Parse(s)
		if err != nil {
			return
		}
		if len(n) != 10 {
			t.Fatalf("Parse(%q) = %q", s, n)
		}
		if again, err := nhsno.Parse(nhsno.Format(n)); err != nil || again != n {
			t.Fatalf("formatted %q does not parse back", n)
		}
	})
}
