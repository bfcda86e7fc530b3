using Thresher.Core.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Backends;

/// <summary>
/// Makes the device-resident trainer of a run (<see cref="IResidentTrainer"/>); a host that found a GPU offers one
/// beside its workers' backend (<see cref="GradientBackendFactory.Resident"/>), and the parameter server uses it for
/// the runs <see cref="ResidentTraining.Refusal"/> accepts.
/// </summary>
/// <param name="description">One line for logs: the device and its GEMMs.</param>
/// <param name="create">(the run's options, its training split, where to start) → a trainer.</param>
public sealed class ResidentTrainerFactory(string description, Func<TrainingOptions, DataSplit, ResidentStart, IResidentTrainer> create)
{
    public string Description { get; } = description;

    public IResidentTrainer Create(TrainingOptions options, DataSplit train, ResidentStart start)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(start);
        return create(options, train, start);
    }

    public override string ToString() => Description;
}
