using System.Runtime.CompilerServices;

namespace Thresher.Core.Kernels;

/// <summary>
/// Blocked GEMM driver: C[M,N] (+)= op(A)[M,K] · op(B)[K,N] (GotoBLAS loop order: k blocks outermost, then
/// row blocks, then column panels, then MR-row micro-panels). Per k block, each thread packs the KC×NR panels of
/// op(B) it needs into its own buffer (KC×N floats, L2-sized), and per row block the MC×KC block of op(A); a
/// <see cref="GemmVariant"/> may read either operand in place instead. The k loop is cut into near-equal blocks
/// of at most <see cref="KC"/> on every machine and for every variant, so the sums, and the results, never
/// depend on which variant or how many threads ran. Threads own disjoint rectangles of C (rows, or whole
/// column panels when that duplicates less packing), so there is no reduction.
/// </summary>
internal static unsafe class GemmBlocked
{
    private const int KC = 256;   // k block limit; the actual block is K split into near-equal parts (fixed: it sets the sum order)

    /// <summary>
    /// Target row block (rounded down to a multiple of MR): the packed MC×KC block of op(A) takes about a quarter of
    /// this core's L2, leaving room for the packed KC×N block of op(B) (400 KB for w[784,512]) and C's tiles. Ice Lake-SP
    /// (1.25 MiB): 320 rows; Zen 4 (1 MiB): 256 (was 192 everywhere). It changes only which rows are packed together, never the sums.
    /// </summary>
    internal static readonly int MC = RowBlock(CacheSizes.Current.L2Bytes);

    internal static int RowBlock(long l2Bytes) => (int)Math.Clamp(l2Bytes / 4 / (KC * sizeof(float)), 96, 768);

    /// <summary>Everything one call needs, shared read-only by its worker threads.</summary>
    internal readonly struct Plan
    {
        public readonly float* C, A, B;
        public readonly nint Ldc, Lda, Ldb;
        public readonly bool ATransposed, BTransposed, Accumulate, Wide;
        public readonly int M, N, K, Mr, Nr, Kc, Panels;
        public readonly GemmVariant Variant;

        public Plan(float* c, nint ldc, float* a, nint lda, bool aT, float* b, nint ldb, bool bT,
                    int m, int n, int k, bool accumulate, bool use512, GemmVariant variant)
        {
            C = c; Ldc = ldc; A = a; Lda = lda; ATransposed = aT; B = b; Ldb = ldb; BTransposed = bT;
            M = m; N = n; K = k; Accumulate = accumulate; Wide = use512;
            Variant = Normalize(variant, n, bT, use512);
            Mr = use512 ? (Variant.Wide ? 6 : Variant.Tall ? 12 : 8) : 6;
            Nr = Variant.Wide ? 64 : NrFor(n, use512);
            Kc = KcStep(k);
            Panels = (n + Nr - 1) / Nr;
        }

        /// <summary>Whether B panel jp is read in place (a full panel of a row-major B, when the variant says so).</summary>
        public bool InPlace(int jp) => !Variant.PackB && (jp + 1) * Nr <= N;
    }

    /// <summary>
    /// The variant a call really runs: B in place needs a row-major B; A in place needs the Vector512 tiles (they
    /// take A's k step). A narrow C (one Vector512 column panel, e.g. the n = 10 layer) always reads full A tiles
    /// in place: packing A there cost as much as the product. 12-row and 6×64 tiles need Vector512, packed A and
    /// n over 32 (else they are the 8-row variant).
    /// </summary>
    internal static GemmVariant Normalize(GemmVariant variant, int n, bool bT, bool use512)
    {
        bool narrow = use512 && n <= NrFor(n, use512);
        bool packA = use512 ? variant.PackA && !narrow : true;
        bool wideValid = use512 && packA && NrFor(n, use512) == 32;
        bool wide = variant.Wide && wideValid;
        return new GemmVariant(packA, variant.PackB || bT, variant.Tall && wideValid && !wide, wide);
    }

    private static int NrFor(int n, bool use512) => use512 ? (n <= 16 ? 16 : 32) : (n <= 8 ? 8 : 16);

    /// <summary>C[M,N] (+)= op(A)[M,K] · op(B)[K,N]; shapes already checked by the public entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    internal static void Run(float* c, nint ldc, float* a, nint lda, bool aT, float* b, nint ldb, bool bT,
                             int m, int n, int k, bool accumulate, int threads, bool use512, GemmVariant variant)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) new Span<float>(c + i * ldc, n).Clear();
            return;
        }
        var plan = new Plan(c, ldc, a, lda, aT, b, ldb, bT, m, n, k, accumulate, use512, variant);
        int rowTiles = (m + plan.Mr - 1) / plan.Mr;
        // Splitting rows makes every thread pack all of op(B) (K×N); splitting column panels, all of op(A) (M×K):
        // split the way that packs less twice (an operand read in place costs nothing to share).
        long packedTwiceByRows = plan.Variant.PackB ? (long)k * n : 0, packedTwiceByColumns = plan.Variant.PackA ? (long)m * k : 0;
        bool splitColumns = packedTwiceByColumns < packedTwiceByRows && plan.Panels >= threads;
        int chunks = Math.Min(threads, splitColumns ? plan.Panels : rowTiles);
        if (chunks == 1)
        {
            RunBlock(plan, 0, m, 0, plan.Panels);
            return;
        }
        var job = new KernelParallel.GemmJob(plan, chunks, splitColumns, rowTiles);
        KernelParallel.Fork(chunks, job.Compute);
    }

    /// <summary>C[r0..r1, panels p0..p1] (+)= op(A)[r0..r1, :] · op(B)[:, panels p0..p1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    internal static void RunBlock(in Plan plan, int r0, int r1, int p0, int p1)
    {
        int mr = plan.Mr, nr = plan.Nr, k = plan.K, kcStep = plan.Kc;
        int mcStep = Math.Max(mr, MC / mr * mr);
        int mcMax = Math.Min(mcStep, (r1 - r0 + mr - 1) / mr * mr);
        float* ap = PackedPanels.RentA(mcMax * kcStep);
        float* bp = PackedPanels.RentB((p1 - p0) * kcStep * nr);
        float* tile = stackalloc float[12 * 32]; // the largest tile: 12×32 = 6×64 floats
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            bool overwrite = pc == 0 && !plan.Accumulate;
            PackBlockOfB(plan, bp, pc, kc, p0, p1);
            for (int ic = r0; ic < r1; ic += mcStep)
            {
                int mc = Math.Min(mcStep, r1 - ic);
                if (plan.Variant.PackA) PackedPanels.PackA(ap, plan.A, plan.Lda, plan.ATransposed, ic, mc, pc, kc, mr);
                for (int jp = p0; jp < p1; jp++)
                {
                    int j0 = jp * nr, cols = Math.Min(nr, plan.N - j0);
                    bool inPlace = plan.InPlace(jp);
                    float* bPanel = inPlace ? plan.B + pc * plan.Ldb + j0 : bp + (nint)(jp - p0) * kc * nr;
                    nint ldb = inPlace ? plan.Ldb : nr;
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int rows = Math.Min(mr, mc - ir);
                        float* cTile = plan.C + (ic + ir) * plan.Ldc + j0;
                        bool direct = rows == TileRows(plan, rows) && cols == nr;
                        float* c = direct ? cTile : tile;
                        nint ldc = direct ? plan.Ldc : nr;
                        MicroTile(plan, ap, ir, ic + ir, rows, pc, kc, bPanel, ldb, c, ldc, !direct || overwrite);
                        if (!direct) AddTile(cTile, plan.Ldc, tile, nr, rows, cols, overwrite);
                    }
                }
            }
        }
    }

    /// <summary>The rows the tile for <paramref name="rows"/> real rows computes: 6×64 plans have 2- and 4-row tail tiles.</summary>
    private static int TileRows(in Plan plan, int rows) => plan.Nr == 64 ? GemmWideMicroKernel.TileRows(rows) : plan.Mr;

    /// <summary>Packs the panels p0..p1 of op(B)'s k block [pc, pc+kc) that are not read in place; panel jp at bp + (jp−p0)·kc·NR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void PackBlockOfB(in Plan plan, float* bp, int pc, int kc, int p0, int p1)
    {
        int nr = plan.Nr;
        float* block = plan.BTransposed ? plan.B + pc : plan.B + pc * plan.Ldb; // op(B)[pc, 0]
        int first = p0;
        while (first < p1 && plan.InPlace(first)) first++;                      // in-place panels come first
        if (first == p1) return;
        int j0 = first * nr, j1 = Math.Min(plan.N, p1 * nr);
        PackedPanels.PackB(bp + (nint)(first - p0) * kc * nr, block, plan.Ldb, plan.BTransposed, kc, plan.N, j0, j1, nr);
    }

    /// <summary>One MR×NR tile over k block [pc, pc+kc): A from the packed block (micro-panel at ir) or in place (row i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void MicroTile(in Plan plan, float* ap, int ir, int i, int rows, int pc, int kc,
                                  float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        if (plan.Variant.PackA)
        {
            Tile(plan, ap + (nint)ir * kc, plan.Mr, rows, b, ldb, c, ldc, kc, overwrite);
        }
        else if (rows < plan.Mr)
        {
            PackedPanels.PackA(ap, plan.A, plan.Lda, plan.ATransposed, i, rows, pc, kc, plan.Mr); // the ragged last tile
            Tile(plan, ap, plan.Mr, plan.Mr, b, ldb, c, ldc, kc, overwrite);
        }
        else if (plan.ATransposed)
        {
            Tile(plan, plan.A + pc * plan.Lda + i, plan.Lda, plan.Mr, b, ldb, c, ldc, kc, overwrite); // 8 rows contiguous per k step
        }
        else
        {
            float* a = plan.A + i * plan.Lda + pc;
            if (plan.Nr == 32) GemmRowMicroKernel.Tile8x32(a, plan.Lda, b, ldb, c, ldc, kc, overwrite);
            else GemmRowMicroKernel.Tile8x16(a, plan.Lda, b, ldb, c, ldc, kc, overwrite);
        }
    }

    /// <summary>
    /// The packed-A tile for the plan's width; aStep: floats between A's k steps (Vector512 tiles only); rows: the real
    /// rows (a 6×64 plan runs its 2- or 4-row tail tile for a ragged last tile; the others compute whole tiles).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void Tile(in Plan plan, float* a, nint aStep, int rows, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        if (plan.Wide)
        {
            if (plan.Nr == 64)
            {
                switch (GemmWideMicroKernel.TileRows(rows)) // the one place that says which tile covers how many rows
                {
                    case 2: GemmWideMicroKernel.TailTile<TwoTileRows>(a, b, ldb, c, ldc, kc, overwrite); break;
                    case 4: GemmWideMicroKernel.TailTile<FourTileRows>(a, b, ldb, c, ldc, kc, overwrite); break;
                    default: GemmWideMicroKernel.Tile6x64(a, b, ldb, c, ldc, kc, overwrite); break;
                }
            }
            else if (plan.Mr == 12) GemmMicroKernel.Tile12x32(a, aStep, b, ldb, c, ldc, kc, overwrite);
            else if (plan.Nr == 32) GemmMicroKernel.Tile8x32(a, aStep, b, ldb, c, ldc, kc, overwrite);
            else GemmMicroKernel.Tile8x16(a, aStep, b, ldb, c, ldc, kc, overwrite);
        }
        else
        {
            if (plan.Nr == 16) GemmMicroKernel.Tile6x16(a, b, ldb, c, ldc, kc, overwrite);
            else GemmMicroKernel.Tile6x8(a, b, ldb, c, ldc, kc, overwrite);
        }
    }

    /// <summary>K cut into near-equal blocks of at most <see cref="KC"/>.</summary>
    internal static int KcStep(int k)
    {
        int kBlocks = (k + KC - 1) / KC;
        return (k + kBlocks - 1) / kBlocks;
    }

    /// <summary>Edge tile: C[rows,cols] (+)= tile[rows,cols] (tile row stride nr).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void AddTile(float* c, nint ldc, float* tile, int nr, int rows, int cols, bool overwrite)
    {
        for (int r = 0; r < rows; r++, c += ldc, tile += nr)
        {
            if (overwrite)
                for (int j = 0; j < cols; j++) c[j] = tile[j];
            else
                for (int j = 0; j < cols; j++) c[j] += tile[j];
        }
    }
}
