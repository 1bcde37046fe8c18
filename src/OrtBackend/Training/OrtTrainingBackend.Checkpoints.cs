using System.Runtime.InteropServices;
using Google.Protobuf;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Training;

/// <summary>Checkpoint save and resume, and export of the trained weights as an inference model.</summary>
public sealed partial class OrtTrainingBackend
{
    /// <summary>
    /// Saves the parameters, the optimizer state, the number of applied updates and the schedule position
    /// (<see cref="Step"/>) to <paramref name="path"/>. The file is written through a temporary file and
    /// renamed, so a failed save leaves an earlier checkpoint at that path intact.
    /// </summary>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tensors = new List<CheckpointTensor>();
        for (var i = 0; i < _names.Length; i++)
        {
            tensors.Add(new CheckpointTensor(_names[i], CheckpointTensorKind.Parameter, DataTypes.Float, _shapes[i], Bytes(HostParameter(i))));
        }

        // Frozen tensors other than the running statistics are constants of the training model.
        foreach (var frozen in _initialCheckpoint.Tensors.Where(t => t.Kind == CheckpointTensorKind.Frozen))
        {
            var k = _running.FindIndex(r => r.Name == frozen.Name);
            tensors.Add(k < 0 ? frozen : frozen with { Data = Bytes(HostRunning(k)) });
        }
        for (var i = 0; i < _names.Length; i++)
        {
            for (var s = 0; s < _stateSuffixes.Count; s++)
            {
                var state = HostState((i * _stateSuffixes.Count) + s);
                tensors.Add(new CheckpointTensor(_names[i] + _stateSuffixes[s], CheckpointTensorKind.OptimizerState, DataTypes.Float, _shapes[i], Bytes(state)));
            }
        }

        CheckpointFile.Save(path, new TrainingCheckpoint(_initialCheckpoint.ModelSha256, _updatesApplied, Step, tensors));
    }

    /// <summary>
    /// Loads a checkpoint that <see cref="SaveCheckpoint"/> wrote and continues from it: parameters, optimizer
    /// state, applied updates and schedule position. Gradients of an earlier <see cref="ComputeGradients"/> are discarded.
    /// </summary>
    /// <exception cref="CheckpointException">
    /// The file is missing, torn, not a checkpoint, belongs to another model, or lacks a parameter or state tensor.
    /// The backend's state is unchanged when this is thrown.
    /// </exception>
    public void LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Restore(_artifacts.LoadCheckpoint(path), path);
    }

    /// <summary>
    /// Writes the forward model with the current weights as initializers, without the loss and its target
    /// inputs, so it runs in any ONNX runtime for inference. Written through a temporary file and renamed.
    /// </summary>
    public void ExportInferenceModel(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var manifest = _artifacts.Manifest;
        var proto = OnnxModel.Load(_artifacts.EvalModelPath).Proto;
        RunningStatistics.ToInferenceMode(proto, []);
        DropoutInference.Apply(proto);
        var graph = proto.Graph;
        for (var k = 0; k < _running.Count; k++)
        {
            var initializer = graph.Initializer.First(t => t.Name == _running[k].Name);
            initializer.FloatData.Clear();
            initializer.RawData = ByteString.CopyFrom(Bytes(HostRunning(k)));
        }

        var targets = manifest.Loss.TargetInputs.ToHashSet(StringComparer.Ordinal);
        var parameterIndex = _names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

        foreach (var output in graph.Output.Where(o => o.Name == manifest.Loss.Output).ToList())
        {
            graph.Output.Remove(output);
        }

        foreach (var input in graph.Input.Where(i => targets.Contains(i.Name) || parameterIndex.ContainsKey(i.Name)).ToList())
        {
            graph.Input.Remove(input);
        }

        for (var i = 0; i < _names.Length; i++)
        {
            var tensor = new TensorProto { Name = _names[i], DataType = DataTypes.Float, RawData = ByteString.CopyFrom(Bytes(HostParameter(i))) };
            tensor.Dims.AddRange(_shapes[i]);
            graph.Initializer.Add(tensor);
        }

        RemoveUnusedNodes(graph);
        new OnnxModel(proto).Save(path);
    }

    /// <summary>Keeps only the nodes that the graph outputs depend on, and the initializers those nodes read.</summary>
    private static void RemoveUnusedNodes(GraphProto graph)
    {
        var needed = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        foreach (var node in graph.Node.Reverse())
        {
            if (node.Output.Any(needed.Contains))
            {
                kept.Add(node);
                foreach (var input in node.Input.Where(name => name.Length > 0))
                {
                    needed.Add(input);
                }

                // NOTE: values read only inside subgraphs (If, Loop, Scan bodies) are not traced, so their
                // producers are kept only when a main-graph node also reads them.
            }
        }

        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        foreach (var initializer in graph.Initializer.Where(t => !needed.Contains(t.Name)).ToList())
        {
            graph.Initializer.Remove(initializer);
        }
    }

    /// <summary>Checks every tensor first, then copies, so that a bad checkpoint leaves the backend unchanged.</summary>
    private void Restore(TrainingCheckpoint checkpoint, string path)
    {
        var parameters = new CheckpointTensor[_names.Length];
        var states = new CheckpointTensor[_names.Length * _stateSuffixes.Count];
        for (var i = 0; i < _names.Length; i++)
        {
            parameters[i] = checkpoint.Find(_names[i])!;
            for (var s = 0; s < _stateSuffixes.Count; s++)
            {
                var name = _names[i] + _stateSuffixes[s];
                var state = checkpoint.Find(name);
                if (state is null || state.Kind != CheckpointTensorKind.OptimizerState)
                {
                    throw new CheckpointException(path, $"tensors '{name}'", "The optimizer state tensor is missing; the checkpoint was written for another optimizer.");
                }

                if (state.ElementType != DataTypes.Float || !state.Dims.SequenceEqual(_shapes[i]))
                {
                    throw new CheckpointException(path, $"tensors '{name}'", "The optimizer state's type or shape differs from its parameter's.", $"FLOAT[{string.Join(", ", _shapes[i])}]", $"{DataTypes.Name(state.ElementType)}[{string.Join(", ", state.Dims)}]");
                }

                states[(i * _stateSuffixes.Count) + s] = state;
            }
        }

        var running = new CheckpointTensor[_running.Count];
        for (var k = 0; k < running.Length; k++)
        {
            var tensor = checkpoint.Find(_running[k].Name);
            if (tensor is null || tensor.ElementType != DataTypes.Float || !tensor.Dims.SequenceEqual(_running[k].Dims))
            {
                throw new CheckpointException(path, $"tensors '{_running[k].Name}'", "The BatchNormalization running statistic is missing or has another type or shape.", $"FLOAT[{string.Join(", ", _running[k].Dims)}]", tensor is null ? "missing" : $"{DataTypes.Name(tensor.ElementType)}[{string.Join(", ", tensor.Dims)}]");
            }

            running[k] = tensor;
        }

        if (checkpoint.Step < 0 || checkpoint.SchedulePosition < checkpoint.Step)
        {
            throw new CheckpointException(path, "header.step", "The step and schedule position are inconsistent: the schedule position counts applied and skipped updates, so it cannot be below the step.", $"0 <= step <= {checkpoint.SchedulePosition}", checkpoint.Step.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // NOTE: with device buffers the copies below run in ONNX Runtime and can fail, for example out of device
        // memory, and then the buffers are partly restored. Only a CheckpointException leaves the backend unchanged.
        _carriedParameterSquaresValid = false;
        _pendingUpdate = false;
        _hasGradients = false;
        for (var i = 0; i < parameters.Length; i++)
        {
            MemoryMarshal.Cast<byte, float>(parameters[i].Data).CopyTo(_parameterArrays[_current][i]);
            FromHost(_parameterArrays[_current][i], _parameterValues[_current][i], _shapes[i]);
        }

        for (var k = 0; k < states.Length; k++)
        {
            MemoryMarshal.Cast<byte, float>(states[k].Data).CopyTo(_stateArrays[_current][k]);
            FromHost(_stateArrays[_current][k], _stateValues[_current][k], _shapes[k / _stateSuffixes.Count]);
        }

        for (var k = 0; k < running.Length; k++)
        {
            MemoryMarshal.Cast<byte, float>(running[k].Data).CopyTo(_runningArrays[_runningCurrent][k]);
            FromHost(_runningArrays[_runningCurrent][k], _runningValues[_runningCurrent][k], _running[k].Dims);
        }

        _updatesApplied = checkpoint.Step;
        Step = checkpoint.SchedulePosition;
        _hasGradients = false;
        _lastLoss = double.NaN;
    }

    /// <summary>Returns the host array with the current optimizer state tensor <paramref name="index"/> ([parameter * suffixes + suffix]).</summary>
    private float[] HostState(int index) => ToHost(_stateValues[_current][index], _stateArrays[_current][index], _shapes[index / _stateSuffixes.Count]);

    /// <summary>Returns the host array with the current values of running statistic <paramref name="index"/>.</summary>
    private float[] HostRunning(int index) => ToHost(_runningValues[_runningCurrent][index], _runningArrays[_runningCurrent][index], _running[index].Dims);

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
