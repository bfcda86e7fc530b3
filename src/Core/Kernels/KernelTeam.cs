using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Thresher.Core.Kernels;

/// <summary>
/// Fork/join for the multi-threaded kernels: helper threads that keep spinning for a short while after each
/// call, so the back-to-back GEMMs of a training step find them awake (a thread-pool worker that has gone to
/// sleep costs a wake-up per call, and Parallel.For's calling thread then runs the late helper's chunk itself,
/// serialising the call). One caller at a time: a second concurrent caller gets false and uses the thread pool.
/// Chunks are disjoint, so results do not depend on which thread runs which chunk.
/// <para>
/// Hand-off, per helper: the caller bumps the helper's own <c>_posted</c> count and the helper runs one chunk per
/// increment, so a helper never confuses one call with the next, whatever the chunk counts. Sleep and wake are a
/// Dekker pair of full fences (interlocked operations): the helper publishes "asleep" and then re-reads
/// <c>_posted</c>; the caller publishes the post and then reads "asleep". At least one of them sees the other's
/// write, so a post is never lost (a plain store then load may be reordered on x86, which hung the old team).
/// </para>
/// </summary>
internal sealed class KernelTeam : IDisposable
{
    /// <summary>The process-wide team the GEMMs use: 0.5 ms of spinning covers the gaps between a step's kernels.</summary>
    public static readonly KernelTeam Shared = new("thresher-kernel", TimeSpan.FromMilliseconds(0.5), TimeSpan.FromSeconds(10),
        line => Console.Error.WriteLine(line));

    private readonly string _name;
    private readonly long _spinTicks, _stallTicks;
    private readonly Action<string> _report;
    private readonly object _gate = new();
    private readonly List<Helper> _helpers = [];
    private Action<int>? _body;
    private int _pending;
    private ExceptionDispatchInfo? _error;
    private volatile bool _disposed;
    private int _jobs; // 1 while the first helper runs a started job (TryStart): calls then go to the thread pool

    /// <param name="name">Prefix of the helper threads' names (name-1, name-2, …).</param>
    /// <param name="spin">How long an idle helper spins before it blocks.</param>
    /// <param name="stallAfter">How long a caller waits for its helpers before it reports the stuck ones (once a call).</param>
    /// <param name="report">Where that report goes (one line).</param>
    public KernelTeam(string name, TimeSpan spin, TimeSpan stallAfter, Action<string> report)
    {
        _name = name;
        _spinTicks = (long)(spin.TotalSeconds * Stopwatch.Frequency);
        _stallTicks = (long)(stallAfter.TotalSeconds * Stopwatch.Frequency);
        _report = report;
    }

    /// <summary>Runs body(0..chunks-1), chunk 0 on the calling thread; false (nothing run) when the team is busy.</summary>
    public bool TryRun(int chunks, Action<int> body)
    {
        if (_disposed || Monitor.IsEntered(_gate) || !Monitor.TryEnter(_gate)) return false; // nested or concurrent: not ours
        try
        {
            if (Volatile.Read(ref _jobs) > 0) return false; // the first helper is busy with a job for milliseconds: not ours either
            while (_helpers.Count < chunks - 1) _helpers.Add(new Helper(this, _helpers.Count + 1));
            _body = body;
            _error = null;
            Volatile.Write(ref _pending, chunks - 1);
            for (int i = 0; i < chunks - 1; i++) _helpers[i].Post();
            try
            {
                body(0);
            }
            finally
            {
                AwaitHelpers(chunks - 1);
                _body = null;
            }
            _error?.Throw();
            return true;
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    /// <summary>
    /// Starts <paramref name="job"/> on the first helper and returns at once, when no call is in progress and that helper
    /// is idle; false otherwise (nothing started). While the job runs, <see cref="TryRun"/> answers false (its callers use
    /// the thread pool) and so does a second TryStart. The job must not throw (it reports through what it completes).
    /// Why: the helper has just spun through the previous call, so it starts the job at once on its own core, where a
    /// thread-pool thread woken for the same work is often queued behind its waker (see <see cref="HelperOffload"/>).
    /// </summary>
    public bool TryStart(Action job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_disposed || Monitor.IsEntered(_gate) || !Monitor.TryEnter(_gate)) return false;
        try
        {
            if (_helpers.Count == 0) _helpers.Add(new Helper(this, 1));
            var helper = _helpers[0];
            if (!helper.Idle || Interlocked.CompareExchange(ref _jobs, 1, 0) != 0) return false;
            helper.PostJob(job);
            return true;
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    /// <summary>Spins until every posted chunk is done; past the stall time, names the helpers still busy (once).</summary>
    private void AwaitHelpers(int posted)
    {
        var spin = new SpinWait();
        long start = Stopwatch.GetTimestamp();
        bool reported = false;
        while (Volatile.Read(ref _pending) > 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (reported || Stopwatch.GetTimestamp() - start < _stallTicks) continue;
            reported = true;
            var stuck = _helpers.Take(posted).Where(h => !h.Idle).Select(h => h.Describe());
            _report($"warning: kernel team '{_name}' has waited {(Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency:F1} s " +
                    $"for its helpers: {string.Join("; ", stuck)} — a chunk that never ends or a lost wake-up; still waiting");
        }
    }

    /// <summary>Stops the helper threads once they finish what they are running (tests make short-lived teams).</summary>
    public void Dispose()
    {
        _disposed = true;
        lock (_gate)
            foreach (var helper in _helpers) helper.Post();
    }

    private sealed class Helper
    {
        private readonly KernelTeam _team;
        private readonly int _index;
        private readonly string _name;
        private readonly SemaphoreSlim _signal = new(0);
        private int _posted;   // chunks the caller has handed this helper (written by the caller)
        private int _done;     // chunks it has finished (written by the helper only; read for reports)
        private int _sleeping; // 1 while blocked or about to block on _signal

        public Helper(KernelTeam team, int index)
        {
            _team = team;
            _index = index;
            _name = $"{team._name}-{index}";
            new Thread(Loop) { IsBackground = true, Name = _name }.Start();
        }

        public bool Idle => Volatile.Read(ref _done) == Volatile.Read(ref _posted);

        private Action? _job; // a started job (KernelTeam.TryStart) instead of a chunk; written before its post

        /// <summary>Hands this idle helper a whole job instead of a chunk of a call.</summary>
        public void PostJob(Action job)
        {
            _job = job;
            Post();
        }

        public string Describe() =>
            $"{_name} (posted {Volatile.Read(ref _posted)}, done {Volatile.Read(ref _done)}, {(Volatile.Read(ref _sleeping) == 1 ? "asleep" : "awake")})";

        /// <summary>Hands this helper one chunk of the current call; wakes it if it sleeps.</summary>
        public void Post()
        {
            Interlocked.Increment(ref _posted);                                   // full fence: the post is visible …
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _signal.Release();   // … before "asleep" is read
        }

        private void Loop()
        {
            while (!_team._disposed)
            {
                AwaitPost();
                if (_job is { } job)
                {
                    RunJob(job); // even when disposed: someone awaits what it completes
                    continue;
                }
                if (_team._disposed) return;
                try
                {
                    _team._body!(_index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _team._error, ExceptionDispatchInfo.Capture(e), null);
                }
                Volatile.Write(ref _done, _done + 1);
                Interlocked.Decrement(ref _team._pending);
            }
        }

        private void RunJob(Action job)
        {
            _job = null;
            try
            {
                job();
            }
            catch (Exception e)
            {
                _team._report($"warning: kernel team '{_team._name}': a started job threw {e.GetType().Name}: {e.Message} (jobs must report through what they complete)");
            }
            Volatile.Write(ref _done, _done + 1);
            Interlocked.Exchange(ref _team._jobs, 0); // after _done: a TryStart that sees the team free finds this helper idle
        }

        /// <summary>Returns once _posted is ahead of _done: spinning for the spin time, then blocking.</summary>
        private void AwaitPost()
        {
            long idleSince = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _posted) == _done)
            {
                if (Stopwatch.GetTimestamp() - idleSince < _team._spinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Exchange(ref _sleeping, 1);                        // full fence: "asleep" is visible …
                if (Volatile.Read(ref _posted) == _done) _signal.Wait();       // … before _posted is re-read
                else if (Interlocked.Exchange(ref _sleeping, 0) == 0) _signal.Wait(); // a Post took the flag: take its release
                idleSince = Stopwatch.GetTimestamp();
            }
        }
    }
}
