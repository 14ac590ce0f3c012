package glfw

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/internal/app"
	"fyne.io/fyne/v2/internal/async"
	"fyne.io/fyne/v2/internal/cache"
	"fyne.io/fyne/v2/internal/driver/common"
	"fyne.io/fyne/v2/internal/painter"
	"fyne.io/fyne/v2/internal/scale"
)

type funcData struct {
	f    func()
	done chan struct{} // Zero allocation signalling channel
}

// channel for queuing functions on the main thread
var (
	funcQueue        = async.NewUnboundedChan[funcData]()
	running, drained atomic.Bool

	// queueMu orders sending to funcQueue against its draining at the
	// end: a function sent is counted in queued before drained is set,
	// so the drain waits for every one still in transit in the unbounded
	// channel (Voice Notes patch: draining by len(Out()) missed those,
	// and their senders, the lifecycle's stop hook among them, waited
	// for ever).
	queueMu sync.Mutex
	queued  atomic.Int64 // sent to funcQueue and not yet taken from it

	// waiting is set while the main loop waits for events (Voice Notes
	// patch: see runGL). It is cleared under wakeMu, so that no wake is
	// posted once the loop has gone on (GLFW may be terminated then).
	waiting atomic.Bool
	wakeMu  sync.Mutex
)

// quietFramesBeforeWait is how many frames with nothing to do the main
// loop ticks through before it waits for events instead.
const quietFramesBeforeWait = 3

// maxWaitSeconds bounds a wait for events, so that the caches are looked
// after (see drawSingleFrame) while nothing happens.
const maxWaitSeconds = 10.0

// wakeMain ends the main loop's wait for events, if it is waiting; it is
// safe from any goroutine.
func wakeMain() {
	if !waiting.Load() {
		return
	}
	wakeMu.Lock()
	defer wakeMu.Unlock()
	if waiting.Load() {
		postEmptyEvent()
	}
}

// Arrange that main.main runs on main thread.
func init() {
	runtime.LockOSThread()
	async.SetMainGoroutine()
}

// force a function f to run on the main thread
func runOnMain(f func()) {
	runOnMainWithWait(f, true)
}

// force a function f to run on the main thread and specify if we should wait for it to return
func runOnMainWithWait(f func(), wait bool) {
	// If we are on main before app run just execute - otherwise add it to the main queue and wait.
	// We also need to run it as-is if the app is in the process of shutting down as the queue will be stopped.
	if !running.Load() && async.IsMainGoroutine() {
		f()
		return
	}
	queueMu.Lock()
	if drained.Load() {
		queueMu.Unlock()
		f()
		return
	}

	if wait {
		done := common.DonePool.Get()
		defer common.DonePool.Put(done)

		funcQueue.In() <- funcData{f: f, done: done}
		queued.Add(1)
		queueMu.Unlock()
		wakeMain()
		<-done
	} else {
		funcQueue.In() <- funcData{f: f}
		queued.Add(1)
		queueMu.Unlock()
		wakeMain()
	}
}

// takeFunc takes the next function from funcQueue.
func takeFunc() funcData {
	f := <-funcQueue.Out()
	queued.Add(-1)
	return f
}

// drawSingleFrame paints the windows that changed, and says whether one
// did.
func (d *gLDriver) drawSingleFrame() (painted bool) {
	refreshed := false
	for _, win := range d.windowList() {
		w := win.(*window)
		if w.closing {
			continue
		}

		// CheckDirtyAndClear must be checked after visibility,
		// because when a window becomes visible, it could be
		// showing old content without a dirty flag set to true.
		// Do the clear if and only if the window is visible.
		if !w.visible || !w.canvas.CheckDirtyAndClear() {
			// Window hidden or not being redrawn, mark canvasForObject
			// cache alive if it hasn't been done recently
			// n.b. we need to make sure threshold is a bit *after*
			// time.Now() - CacheDuration()
			threshold := time.Now().Add(10*time.Second - cache.ValidDuration)
			if w.lastWalkedTime.Before(threshold) {
				w.canvas.WalkTrees(nil, func(node *common.RenderCacheNode, _ fyne.Position) {
					// marks canvas for object cache entry alive
					_ = cache.GetCanvasForObject(node.Obj())
					// marks renderer cache entry alive
					if wid, ok := node.Obj().(fyne.Widget); ok {
						_, _ = cache.CachedRenderer(wid)
					}
				})
				w.lastWalkedTime = time.Now()
			}
			continue
		}

		painted = true
		w.RunWithContext(func() {
			if w.driver.repaintWindow(w) {
				refreshed = true
			}
		})
	}
	cache.Clean(refreshed)
	return painted
}

func (d *gLDriver) runGL() {
	if !running.CompareAndSwap(false, true) {
		return // Run was called twice.
	}

	d.animation.Wake = wakeMain
	common.DirtyWake = wakeMain
	d.init()
	if d.trayStart != nil {
		d.trayStart()
	}

	fyne.CurrentApp().Settings().AddListener(func(set fyne.Settings) {
		painter.ClearFontCache()
		cache.ResetThemeCaches()
		app.ApplySettingsWithCallback(set, fyne.CurrentApp(), func(w fyne.Window) {
			c, ok := w.Canvas().(*glCanvas)
			if !ok {
				return
			}
			c.applyThemeOutOfTreeObjects()
			c.reloadScale()
		})
	})

	if f := fyne.CurrentApp().Lifecycle().(*app.Lifecycle).OnStarted(); f != nil {
		f()
	}

	// The loop ticks 60 times a second while something happens; after a
	// few frames with nothing to do (no event, no function to run, no
	// animation, nothing to paint) it waits for events instead, and
	// anything that gives it work wakes it: an input event, a function
	// for main (fyne.Do), an animation started, a canvas marked dirty,
	// Quit. (Voice Notes patch: Fyne's loop woke 60 times a second for
	// ever, 1.7-2.3% of a core for a window doing nothing; fyne-io/fyne
	// issue 2506.)
	eventTick := time.NewTicker(time.Second / 60)
	quiet := 0
	for {
		if quiet >= quietFramesBeforeWait {
			quiet = 0
			waiting.Store(true)
			// What is sent after this is woken for; what was sent before
			// is counted.
			if queued.Load() == 0 && !d.animation.Running() {
				d.waitEvents(maxWaitSeconds)
			}
			wakeMu.Lock()
			waiting.Store(false)
			wakeMu.Unlock()
			select {
			case <-d.done:
			default:
				// The events are handled; paint what they changed now,
				// not at the next tick.
				d.frame()
				continue
			}
		}
		select {
		case <-d.done:
			eventTick.Stop()
			d.Terminate()
			l := fyne.CurrentApp().Lifecycle().(*app.Lifecycle)
			if f := l.OnStopped(); f != nil {
				l.QueueEvent(f)
			}

			// as we are shutting down make sure we drain the pending funcQueue and close it out.
			queueMu.Lock()
			drained.Store(true)
			queueMu.Unlock()
			for queued.Load() > 0 {
				f := takeFunc()
				if f.done != nil {
					f.done <- struct{}{}
				}
			}
			funcQueue.Close()
			return
		case f := <-funcQueue.Out():
			queued.Add(-1)
			quiet = 0
			f.f()
			if f.done != nil {
				f.done <- struct{}{}
			}
		case <-eventTick.C:
			if d.frame() {
				quiet = 0
			} else {
				quiet++
			}
		}
	}
}

// frame handles the events waiting, ticks the animations and paints what
// changed; it says whether there was anything to do.
func (d *gLDriver) frame() (busy bool) {
	d.pollEvents()
	for i := 0; i < len(d.windows); i++ {
		w := d.windows[i].(*window)
		if w.viewport == nil {
			continue
		}

		if w.viewport.ShouldClose() {
			busy = true
			d.destroyWindow(w, i)
			i-- // Trailing windows are moved forward one step.
			continue
		}

		expand := w.shouldExpand
		fullScreen := w.fullScreen

		if expand && !fullScreen {
			busy = true
			w.fitContent()
			shouldExpand := w.shouldExpand
			w.shouldExpand = false
			view := w.viewport

			if shouldExpand && runtime.GOOS != "js" {
				view.SetSize(w.shouldWidth, w.shouldHeight)
			}
		}
	}

	if d.animation.Running() {
		busy = true
	}
	d.animation.TickAnimations()
	if d.drawSingleFrame() {
		busy = true
	}
	return busy
}

func (d *gLDriver) destroyWindow(w *window, index int) {
	w.visible = false
	w.viewport.Destroy()
	w.destroy(d)

	if index < len(d.windows)-1 {
		copy(d.windows[index:], d.windows[index+1:])
	}
	d.windows[len(d.windows)-1] = nil
	d.windows = d.windows[:len(d.windows)-1]

	if len(d.windows) == 0 {
		d.Quit()
	}
}

func (d *gLDriver) repaintWindow(w *window) bool {
	canvas := w.canvas
	freed := false
	if canvas.EnsureMinSize() {
		w.shouldExpand = true
	}
	freed = canvas.FreeDirtyTextures() > 0

	updateGLContext(w)
	canvas.paint(canvas.Size())

	view := w.viewport
	visible := w.visible

	if view != nil && visible {
		view.SwapBuffers()
	}

	// mark that we have walked the window and don't
	// need to walk it again to mark caches alive
	w.lastWalkedTime = time.Now()
	return freed
}

// refreshWindow requests that the specified window be redrawn
func refreshWindow(w *window) {
	w.canvas.SetDirty()
}

func updateGLContext(w *window) {
	canvas := w.canvas
	size := canvas.Size()

	// w.width and w.height are not correct if we are maximised, so figure from canvas
	winWidth := float32(scale.ToScreenCoordinate(canvas, size.Width)) * canvas.texScale
	winHeight := float32(scale.ToScreenCoordinate(canvas, size.Height)) * canvas.texScale

	canvas.Painter().SetFrameBufferScale(canvas.texScale)
	canvas.Painter().SetOutputSize(int(winWidth), int(winHeight))
}
