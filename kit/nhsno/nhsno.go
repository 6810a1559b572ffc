// Package nhsno validates NHS numbers (the Modulus 11 check digit) and makes
// synthetic ones from the never-issued 999 range for tests and demo data.
package nhsno

import (
	"errors"
	"math/rand/v2"
	"strings"
)

// Errors Parse returns. They never echo the number.
var (
	ErrFormat     = errors.New("an NHS number is 10 digits, optionally grouped 3-3-4 by spaces or hyphens")
	ErrCheckDigit = errors.New("the NHS number's check digit is wrong")
)

// Parse normalises an NHS number to its 10 digits and checks the digit.
func Parse(s string) (string, error) {
	if len(s) > 14 {
		return "", ErrFormat
	}
	digits := make([]byte, 0, 10)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case (c == ' ' || c == '-') && (len(digits) == 3 || len(digits) == 6):
		default:
			return "", ErrFormat
		}
	}
	if len(digits) != 10 {
		return "", ErrFormat
	}
	check, ok := CheckDigit(string(digits[:9]))
	if !ok || check != digits[9] {
		return "", ErrCheckDigit
	}
	return string(digits), nil
}

// CheckDigit returns the Modulus 11 check digit of the first nine digits,
// or false when they admit none (a remainder giving 10).
func CheckDigit(nine string) (byte, bool) {
	if len(nine) != 9 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(nine[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		return '0', true
	case 10:
		return 0, false
	default:
		return byte('0' + check), true
	}
}

// IsSynthetic reports whether a valid number is in the never-issued 999
// range that test and demo data must come from.
func IsSynthetic(n string) bool { return strings.HasPrefix(n, "999") }

// Synthetic returns a random valid NHS number from the 999 range.
func Synthetic(r *rand.Rand) string {
	for {
		nine := []byte("999000000")
		for i := 3; i < 9; i++ {
			nine[i] = byte('0' + r.IntN(10))
		}
		if check, ok := CheckDigit(string(nine)); ok {
			return string(nine) + string(check)
		}
	}
}

// Format groups a number 3-3-4 for display.
func Format(n string) string {
	if len(n) != 10 {
		return n
	}
	return n[:3] + " " + n[3:6] + " " + n[6:]
}
