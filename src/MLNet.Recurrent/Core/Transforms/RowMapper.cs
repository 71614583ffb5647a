using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

/// <summary>
/// The row-at-a-time side of a transformer (ML.NET's internal <see cref="IRowMapper"/>): its output columns, the input
/// columns they read, and one getter per active output column. The public transformers implement
/// <see cref="ITransformer"/> directly and hand their mapper to <see cref="RowMapping"/>, so no ML.NET internal type
/// appears in the library's public API.
/// </summary>
internal abstract class RowMapper : IRowMapper
{
    private readonly ITransformer parent;
    private readonly Action<ModelSaveContext> save;
    private DataViewSchema.DetachedColumn[]? outputs;

    protected RowMapper(ITransformer parent, Action<ModelSaveContext> save, DataViewSchema inputSchema)
    {
        this.parent = parent;
        this.save = save;
        InputSchema = inputSchema;
    }

    /// <summary>The schema the mapper reads from.</summary>
    protected DataViewSchema InputSchema { get; }

    /// <summary>Indices (in <see cref="InputSchema"/>) of the input columns every output column reads.</summary>
    protected abstract IReadOnlyCollection<int> InputColumns { get; }

    /// <summary>The output columns, in order.</summary>
    protected abstract DataViewSchema.DetachedColumn[] CreateOutputColumns();

    /// <summary>A getter of output column <paramref name="output"/> over the current row of <paramref name="input"/>.</summary>
    protected abstract Delegate MakeGetter(DataViewRow input, int output);

    public DataViewSchema.DetachedColumn[] GetOutputColumns() => outputs ??= CreateOutputColumns();

    public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
    {
        bool any = Enumerable.Range(0, GetOutputColumns().Length).Any(activeOutput);
        IReadOnlyCollection<int> inputs = InputColumns;
        return column => any && inputs.Contains(column);
    }

    /// <summary>One getter per active output column (<see cref="MakeGetter"/>); mappers whose outputs share work override it.</summary>
    public virtual Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
    {
        disposer = null!;
        var getters = new Delegate[GetOutputColumns().Length];
        for (int i = 0; i < getters.Length; i++)
        {
            if (activeOutput(i))
                getters[i] = MakeGetter(input, i);
        }
        return getters;
    }

    public ITransformer GetTransformer() => parent;

    void ICanSaveModel.Save(ModelSaveContext ctx) => save(ctx);
}
