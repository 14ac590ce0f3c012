// Package recording owns a recording's life on disk: it is made
// (Start), grows while it is captured, is stopped or cancelled, comes in
// by import, may be kept compact (FLAC, Opus), and is finished by
// recovery when a crash cut any of that short. Package audio does the
// signal and the codecs; this package decides which file exists when,
// and in what order the steps reach the disk, so that a crash at any
// moment leaves something the next open completes: never a note with
// part of its audio, never audio without a note once recovery ran.
//
// # The files, in recordings/
//
//	name                 means                                  made by          removed by            recovery (Recover, at every open of the vault)
//	<id>.wav.partial     a recording in progress, locked by     Start            Stop (renamed),       unlocked: keep every whole frame it holds,
//	                     its process; unlocked: interrupted                      Cancel, recovery      write its note (or correct the recorder's),
//	                                                                             (when empty)          rename it to <id>.wav; no frame and no note:
//	                                                                                                   removed; locked: left alone
//	<id>.markers         markers dropped while recording,       the first        Stop (moved into      no partial beside it and a note of its id:
//	                     one JSON line each, fsynced            marker           the note)             moved into the note
//	<id>.md              the note                               Stop, Import,    persistence (trash)   -
//	                                                            recovery
//	<id>.wav             the recording                          Stop (rename),   Compact, once the     no note refers to it and no <id>.md: a note
//	                                                            Import (rename)  note names the new    marked recovered (or its trashed note comes
//	                                                                             file                  back); also <id>.<any audio ext>; not while
//	                                                                                                   its note may be arriving (a sync tool's temp
//	                                                                                                   for it, or the audio under a minute old)
//	<id>.compacting      a conversion under way, naming its     Compact          Compact, recovery     the note names the target and it exists:
//	                     target; locked while it runs                                                  the WAV goes; else the target goes; then
//	                                                                                                   the marker; locked: left alone
//	.<id>.wav.<rnd>.tmp  an import being written                Import           Import (renamed);     persistence's cleanup removes it after an hour
//
// # The order of the steps
//
// Start: create <id>.wav.partial (O_EXCL) with an empty header, lock it,
// fsync the folder. While recording, every second: rewrite the header for
// what was written, fsync. A crash loses at most that second.
//
// Stop: the header and fsync; the note <id>.md (UNPROCESSED, its length
// and audio named) through the atomic writer; rename the partial to
// <id>.wav and fsync the folder; the markers move into the note (package
// session, which also commits the live transcript). A crash between
// the note and the rename leaves the note and the partial: recovery
// renames it, title and all.
//
// Cancel: the partial is removed; nothing else was written. A crash
// before the removal gives the recording back at the next open (never the
// other way round: what a person may still want is not lost to a crash).
//
// Import: the audio streams into a temp file beside <id>.wav, converted
// to the stored format; it is synced and renamed; then the note. A crash
// before the rename leaves a temp file for cleanup; after it, audio that
// recovery adopts.
//
// Compact: ffmpeg makes the new file in a private temporary folder;
// <id>.compacting is written naming the target, locked before it has its
// name; the new file is copied beside the WAV atomically and durably; the
// note is pointed at it; the WAV is removed; the marker is removed. A
// file is only ever removed while the other holds the recording.
//
// Every transition is killed before each of its file operations in
// TestCrashMatrix (start, stop, cancel, import, compact, recover; delete
// and restore of persistence's trash); TestRecordingSurvivesPowerLoss cuts the power
// during a recording; TestCrashRecovery kills real recordings with
// SIGKILL.
package recording
