using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>A run's history is stored in pages, and a store writes only the pages that changed.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RunHistoryStoreTests(ClusterFixture fixture)
{
    const int Page = RunHistoryStore.PageSize;

    static StepRecord Record(long step, double loss) =>
        new(step, 0, loss, 1.5, 1.5, 1f, false, false, [1.0, 2.0], [0.5], null, 3.0, ["silo"]);

    static List<StepRecord> History(int count, double salt = 0) => [.. Enumerable.Range(0, count).Select(i => Record(i, i + salt))];

    CountingStorage Storage() => new(fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(CheckpointStorage.Name));

    [Fact]
    public async Task Stores_write_only_changed_pages_and_a_new_store_loads_the_counted_records()
    {
        string runId = $"history-{Guid.NewGuid():N}";
        var storage = Storage();
        var store = new RunHistoryStore(storage, runId);

        var history = History(2 * Page + 10);
        await store.StoreAsync(history);
        Assert.Equal(3, storage.Writes); // pages 0, 1, 2

        history.AddRange(History(3 * Page + 5).Skip(history.Count)); // steps up to 3·Page + 4
        await store.StoreAsync(history);
        Assert.Equal(3 + 2, storage.Writes); // page 2 (grown) and page 3 (new); pages 0 and 1 untouched

        // A resume drops the steps from Page + 7 on and re-runs them (here with other values, to see they are written).
        history.RemoveRange(Page + 7, history.Count - (Page + 7));
        store.Truncated(Page + 7);
        history.AddRange(History(2 * Page + 3, salt: 0.25).Skip(history.Count));
        await store.StoreAsync(history);
        Assert.Equal(5 + 2, storage.Writes); // pages 1 and 2

        var loaded = await new RunHistoryStore(storage, runId).LoadAsync(history.Count);
        Assert.Equal(history.Select(r => (r.Step, r.Loss)), loaded.Select(r => (r.Step, r.Loss)));
        Assert.Equal(Page + 8 + 0.25, loaded[Page + 8].Loss); // the re-run record, not the one it replaced
    }

    [Fact]
    public async Task A_missing_page_fails_loading_with_the_page_named()
    {
        string runId = $"history-{Guid.NewGuid():N}";
        await new RunHistoryStore(Storage(), runId).StoreAsync(History(Page));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new RunHistoryStore(Storage(), runId).LoadAsync(Page + 1));
        Assert.Contains("history page 1 is missing (256 of 257 recorded steps loaded)", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Passes calls through and counts writes.</summary>
    sealed class CountingStorage(IGrainStorage inner) : IGrainStorage
    {
        public int Writes { get; private set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Writes++;
            return inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
