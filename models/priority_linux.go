package models

import "syscall"

// lowerThreadPriority gives the calling thread (Linux schedules threads, and a nice
// value set by thread id applies to that thread alone) the lowest CPU priority, nice 19.
// Failure leaves it at normal priority, which is only slower to yield.
func lowerThreadPriority() {
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
