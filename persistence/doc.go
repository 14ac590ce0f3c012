// Package persistence keeps a Voice Notes vault on disk: notes as Markdown
// files with YAML frontmatter, written atomically and durably, never torn.
//
// Every write goes to a uniquely named temp file beside its target, is
// fsynced, renamed over the target and made durable by an fsync of the
// directory. All file-system calls go through the FS seam so tests can
// inject failures and simulate power loss at every step.
package persistence
