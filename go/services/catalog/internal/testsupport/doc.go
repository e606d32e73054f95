// Package testsupport is shared by the catalog's tests, never by its binary: the one port
// test suite every storage adapter runs (ports.go), a local PostgreSQL server started for a
// test run (postgres.go), and a database/sql driver whose commits fail (failcommit.go).
package testsupport
