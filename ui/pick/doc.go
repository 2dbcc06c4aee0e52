// Package pick holds what Lockbox's forms let the user pick from: the
// choices of a select or radio group, each an option value shown under a
// label (Choices), and a file, through Fyne's file-open dialog (OpenFile).
//
// It only builds on Fyne; the settings page, the site manager and the
// client certificate dialogs share it so that a choice maps to its value,
// and a file dialog behaves, the same way in each.
package pick
