using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

public sealed partial class LanguageModelTransformer
{
    /// <summary>Adds the three score columns; one forward pass per row, shared by the three getters.</summary>
    private sealed partial class Mapper : MapperBase // ONNX export: Onnx/LanguageModelTransformer.Onnx.cs
    {
        private readonly LanguageModelTransformer parent;
        private readonly DataViewSchema.Column input;

        public Mapper(LanguageModelTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            this.parent = parent;
            input = LanguageModelInputColumn.Find(inputSchema, parent.InputColumnName);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            parent.columns.Outputs.Select(o => new DataViewSchema.DetachedColumn(o.Name, o.Type)).ToArray();

        public override Delegate[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getters = new Delegate[3];
            if (!Enumerable.Range(0, 3).Any(activeOutput))
                return getters;

            ValueGetter<VBuffer<int>> getIds = row.GetGetter<VBuffer<int>>(input);
            VBuffer<int> buffer = default;
            long cachedPosition = -1;
            (double LogLikelihood, int Tokens) score = default;
            void Ensure()
            {
                if (row.Position == cachedPosition)
                    return;
                getIds(ref buffer);
                score = parent.ScoreRow(buffer.GetValues());
                cachedPosition = row.Position;
            }

            if (activeOutput(0))
                getters[0] = (ValueGetter<float>)((ref float value) => { Ensure(); value = (float)score.LogLikelihood; });
            if (activeOutput(1))
                getters[1] = (ValueGetter<int>)((ref int value) => { Ensure(); value = score.Tokens; });
            if (activeOutput(2))
                getters[2] = (ValueGetter<float>)((ref float value) => { Ensure(); value = score.Tokens > 0 ? (float)Math.Exp(-score.LogLikelihood / score.Tokens) : float.NaN; });
            return getters;
        }

        public override Delegate MakeGetter(DataViewRow row, int iinfo, Func<int, bool> activeOutput, out Action? disposer) =>
            CreateGetters(row, i => i == iinfo, out disposer)[iinfo];

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool any = Enumerable.Range(0, 3).Any(activeOutput);
            int index = input.Index;
            return col => any && col == index;
        }

        public override void SaveModel(ModelSaveContext ctx) => parent.SaveModel(ctx);
    }
}
