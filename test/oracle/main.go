// Command istio-route-oracle builds the Envoy routes that pilot (istio.io/istio, the pinned module
// version in go.mod) generates for a sidecar from a set of VirtualServices, DestinationRules and
// services, prints them, and routes requests through them as Envoy would, so that tests can compare
// the mesh simulator's routing with Istio's own.
//
// It reads one JSON case per line on stdin and writes one JSON answer per line on stdout, so one
// process serves many cases (the pilot set-up costs milliseconds, the process start a second).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"syscall"

	"istio.io/istio/pkg/log"
)

// reserveStdout keeps the process's stdout for answers alone: pilot's packages log to stdout, so
// file descriptor 1 is pointed at stderr and the answers go to a duplicate of the original.
func reserveStdout() (*os.File, error) {
	fd, err := syscall.Dup(1)
	if err != nil {
		return nil, err
	}
	if err := syscall.Dup3(2, 1, 0); err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "answers"), nil
}

func main() {
	// Pilot logs to stderr at info level; keep only errors so the test output stays readable.
	for _, scope := range log.Scopes() {
		scope.SetOutputLevel(log.ErrorLevel)
	}
	answers, err := reserveStdout()
	if err != nil {
		fmt.Fprintln(os.Stderr, "redirecting stdout:", err)
		os.Exit(1)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 64<<20)
	out := bufio.NewWriter(answers)
	for in.Scan() {
		line := in.Bytes()
		if len(line) == 0 {
			continue
		}
		var c Case
		var answer Answer
		if err := json.Unmarshal(line, &c); err != nil {
			answer = Answer{Error: fmt.Sprintf("case is not valid JSON: %v", err)}
		} else {
			answer = Evaluate(c)
		}
		encoded, err := json.Marshal(answer)
		if err != nil {
			encoded, _ = json.Marshal(Answer{Error: err.Error()})
		}
		_, _ = out.Write(append(encoded, '\n'))
		_ = out.Flush()
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "reading stdin:", err)
		os.Exit(1)
	}
}
