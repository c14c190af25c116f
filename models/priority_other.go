//go:build !linux

package models

// lowerThreadPriority is Linux's alone (priority_linux.go): elsewhere the checkpoints'
// first passes run at normal priority.
func lowerThreadPriority() {}
