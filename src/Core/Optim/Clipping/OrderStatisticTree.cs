using Thresher.Core.Data;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// A multiset of doubles with O(log n) expected insert, remove and k-th smallest: a treap (binary search tree by
/// key, heap by priority) whose nodes count their subtree. Keys are (value, sequence number), so equal values stay
/// distinct and a given insertion can be removed. Priorities are SplitMix64 of the sequence number: the same
/// insertions give the same tree. Values must not be NaN. Nodes live in arrays (index −1 = none), reused after removal.
/// </summary>
public sealed class OrderStatisticTree
{
    double[] _value = new double[16];
    long[] _sequence = new long[16];
    ulong[] _priority = new ulong[16];
    int[] _left = new int[16], _right = new int[16], _size = new int[16];
    readonly Stack<int> _free = new();
    int _used; // nodes ever allocated
    int _root = -1;

    public int Count => Size(_root);

    public void Insert(double value, long sequence)
    {
        if (double.IsNaN(value)) throw new ArgumentException("NaN has no order", nameof(value));
        int node = Allocate(value, sequence);
        var (less, rest) = Split(_root, value, sequence);
        _root = Merge(Merge(less, node), rest);
    }

    /// <summary>Removes the element inserted with (value, sequence); false when there is none.</summary>
    public bool Remove(double value, long sequence)
    {
        var (less, rest) = Split(_root, value, sequence);
        bool found = rest >= 0 && First(rest) is int first && _value[first] == value && _sequence[first] == sequence;
        if (found) rest = RemoveFirst(rest);
        _root = Merge(less, rest);
        return found;
    }

    /// <summary>The k-th smallest value, k in [0, Count).</summary>
    public double Select(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, Count);
        int node = _root;
        while (true)
        {
            int leftSize = Size(_left[node]);
            if (k < leftSize) node = _left[node];
            else if (k == leftSize) return _value[node];
            else (k, node) = (k - leftSize - 1, _right[node]);
        }
    }

    int Size(int node) => node < 0 ? 0 : _size[node];

    bool Less(int node, double value, long sequence) => _value[node] < value || (_value[node] == value && _sequence[node] < sequence);

    /// <summary>Splits the subtree into keys &lt; (value, sequence) and the rest.</summary>
    (int Below, int AtOrAbove) Split(int node, double value, long sequence)
    {
        if (node < 0) return (-1, -1);
        if (Less(node, value, sequence))
        {
            var (l, r) = Split(_right[node], value, sequence);
            _right[node] = l;
            return (Update(node), r);
        }
        var (less, rest) = Split(_left[node], value, sequence);
        _left[node] = rest;
        return (less, Update(node));
    }

    /// <summary>Joins two subtrees whose keys are all ordered (every key of a below every key of b).</summary>
    int Merge(int a, int b)
    {
        if (a < 0) return b;
        if (b < 0) return a;
        if (_priority[a] > _priority[b])
        {
            _right[a] = Merge(_right[a], b);
            return Update(a);
        }
        _left[b] = Merge(a, _left[b]);
        return Update(b);
    }

    int First(int node)
    {
        while (_left[node] >= 0) node = _left[node];
        return node;
    }

    int RemoveFirst(int node)
    {
        if (_left[node] < 0)
        {
            _free.Push(node);
            return _right[node];
        }
        _left[node] = RemoveFirst(_left[node]);
        return Update(node);
    }

    int Update(int node)
    {
        _size[node] = 1 + Size(_left[node]) + Size(_right[node]);
        return node;
    }

    int Allocate(double value, long sequence)
    {
        int node = _free.Count > 0 ? _free.Pop() : _used++;
        if (node == _value.Length) Grow();
        (_value[node], _sequence[node], _priority[node]) = (value, sequence, SplitMix64.Mix((ulong)sequence));
        (_left[node], _right[node], _size[node]) = (-1, -1, 1);
        return node;
    }

    void Grow()
    {
        int capacity = _value.Length * 2;
        Array.Resize(ref _value, capacity);
        Array.Resize(ref _sequence, capacity);
        Array.Resize(ref _priority, capacity);
        Array.Resize(ref _left, capacity);
        Array.Resize(ref _right, capacity);
        Array.Resize(ref _size, capacity);
    }
}
