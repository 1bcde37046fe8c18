using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Standalone;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Allocates float tensors on the sessions' device and copies, scales and adds them with small ONNX Runtime
/// sessions, so that the backend never reads device memory directly (<see cref="BufferPlacement.Device"/>).
/// </summary>
/// <remarks>
/// Each operation is one run of a one-node model whose input and output are bound to the given tensors. ONNX Runtime
/// inserts the copies between host and device memory that a binding needs, which is how tensors reach the host. A run
/// costs a few microseconds, so the backend uses these only on histogram steps, checkpoints, accumulation and skips.
/// </remarks>
internal sealed class DeviceTensors : IDisposable
{
    private const string Input = "x";
    private const string Addend = "a";
    private const string Factor = "s";
    private const string Output = "y";

    private readonly OrtAllocator _allocator;
    private readonly bool _ownsAllocator;
    private readonly InferenceSession _copy;
    private readonly InferenceSession _scale;
    private readonly InferenceSession _scaleAdd;
    private readonly OrtIoBinding _copyBinding;
    private readonly OrtIoBinding _scaleBinding;
    private readonly OrtIoBinding _scaleAddBinding;
    private readonly float[] _factor = new float[1];
    private readonly OrtValue _factorValue;
    private readonly RunOptions _runOptions = new();

    // On the CPU provider the host inputs bound by BindHostInput go through these copies, refreshed at each bind.
    private readonly bool _emulatesBindCopies;
    private readonly Dictionary<(OrtIoBinding Binding, string Name), OrtValue> _boundCopies = [];

    /// <summary>Creates the sessions and the allocator for the device of <paramref name="options"/>.</summary>
    /// <param name="options">The backend settings, which choose the provider and device.</param>
    /// <param name="deviceSession">A session on that device, whose allocator the tensors come from on CUDA.</param>
    public DeviceTensors(OrtBackendOptions options, InferenceSession deviceSession)
    {
        var created = new List<IDisposable>();
        try
        {
            _copy = Track(SessionFactory.Create(CopyModel(), "device copy", options), created);
            _scale = Track(SessionFactory.Create(ScaleModel(addend: false), "device scale", options), created);
            _scaleAdd = Track(SessionFactory.Create(ScaleModel(addend: true), "device scale-add", options), created);
            _copyBinding = Track(_copy.CreateIoBinding(), created);
            _scaleBinding = Track(_scale.CreateIoBinding(), created);
            _scaleAddBinding = Track(_scaleAdd.CreateIoBinding(), created);
            _factorValue = Track(OrtValue.CreateTensorValueFromMemory(_factor, []), created);
            if (options.ExecutionProvider == OrtExecutionProvider.Cuda)
            {
                // NOTE: this allocator and the copies to and from CUDA memory have not run on a GPU yet; tools/GpuCheck checks them.
                using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, options.CudaDeviceId, OrtMemType.Default);
                _allocator = new OrtAllocator(deviceSession, memory);
                _ownsAllocator = true;
            }
            else
            {
                _allocator = OrtAllocator.DefaultInstance;
                _emulatesBindCopies = true;
            }
        }
        catch
        {
            foreach (var item in Enumerable.Reverse(created))
            {
                item.Dispose();
            }

            throw;
        }
    }

    /// <summary>Gets the number of runs since creation, for tests and diagnostics.</summary>
    public long Runs { get; private set; }

    /// <summary>Allocates an uninitialised float tensor of <paramref name="shape"/> on the device.</summary>
    public OrtValue Allocate(long[] shape) => OrtValue.CreateAllocatedTensorValue(_allocator, TensorElementType.Float, shape);

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/>, which has the same shape. Either may be in host or device memory.</summary>
    public void Copy(OrtValue source, OrtValue destination)
    {
        _copyBinding.ClearBoundInputs();
        _copyBinding.ClearBoundOutputs();
        _copyBinding.BindInput(Input, source);
        _copyBinding.BindOutput(Output, destination);
        Run(_copy, _copyBinding);
    }

    /// <summary>Copies a device tensor into a host array of the same element count.</summary>
    public void Download(OrtValue source, float[] destination, long[] shape)
    {
        using var host = OrtValue.CreateTensorValueFromMemory(destination, shape);
        Copy(source, host);
    }

    /// <summary>Copies a host array into a device tensor of the same element count.</summary>
    public void Upload(float[] source, OrtValue destination, long[] shape)
    {
        using var host = OrtValue.CreateTensorValueFromMemory(source, shape);
        Copy(host, destination);
    }

    /// <summary>Writes <c>x * factor</c> into <paramref name="destination"/>.</summary>
    public void Scale(OrtValue x, float factor, OrtValue destination) => RunScale(_scale, _scaleBinding, null, x, factor, destination);

    /// <summary>Writes <c>addend + x * factor</c> into <paramref name="destination"/>, which must be another tensor than both inputs.</summary>
    public void ScaleAdd(OrtValue addend, OrtValue x, float factor, OrtValue destination) => RunScale(_scaleAdd, _scaleAddBinding, addend, x, factor, destination);

    /// <summary>
    /// Binds a small host input, such as the learning rate, to a session on the device. A CUDA session copies the
    /// value to the device when it is bound, so a later change of the host array reaches the session only when it is
    /// bound again. On the CPU provider, where a bound host array would be read in place, the value is copied here,
    /// so that an input bound once and changed afterwards fails the tests on machines without a GPU too.
    /// </summary>
    public void BindHostInput(OrtIoBinding binding, string name, OrtValue hostValue)
    {
        if (!_emulatesBindCopies)
        {
            binding.BindInput(name, hostValue);
            return;
        }

        if (!_boundCopies.TryGetValue((binding, name), out var copy))
        {
            var info = hostValue.GetTensorTypeAndShape();
            copy = OrtValue.CreateAllocatedTensorValue(_allocator, info.ElementDataType, info.Shape);
            _boundCopies.Add((binding, name), copy);
        }

        hostValue.GetTensorMutableRawData().CopyTo(copy.GetTensorMutableRawData());
        binding.BindInput(name, copy);
    }

    /// <summary>Releases the bindings, the allocator and the sessions. Dispose the tensors from <see cref="Allocate"/> first.</summary>
    public void Dispose()
    {
        _copyBinding?.Dispose();
        _scaleBinding?.Dispose();
        _scaleAddBinding?.Dispose();
        _factorValue?.Dispose();
        foreach (var copy in _boundCopies.Values)
        {
            copy.Dispose();
        }

        if (_ownsAllocator)
        {
            _allocator.Dispose();
        }

        _copy?.Dispose();
        _scale?.Dispose();
        _scaleAdd?.Dispose();
        _runOptions.Dispose();
    }

    private void RunScale(InferenceSession session, OrtIoBinding binding, OrtValue? addend, OrtValue x, float factor, OrtValue destination)
    {
        _factor[0] = factor;
        binding.ClearBoundInputs();
        binding.ClearBoundOutputs();
        if (addend is not null)
        {
            binding.BindInput(Addend, addend);
        }

        binding.BindInput(Input, x);
        binding.BindInput(Factor, _factorValue);
        binding.BindOutput(Output, destination);
        Run(session, binding);
    }

    private void Run(InferenceSession session, OrtIoBinding binding)
    {
        session.RunWithBinding(_runOptions, binding);
        Runs++;
    }

    private static T Track<T>(T item, List<IDisposable> created)
        where T : IDisposable
    {
        created.Add(item);
        return item;
    }

    /// <summary>A float tensor of unknown rank, so that one session copies every shape.</summary>
    private static TensorInfo AnyFloat => new(DataTypes.Float, null);

    private static byte[] CopyModel() => Model("graddiag_device_copy", [(Input, AnyFloat)], new NodeProto { OpType = "Identity", Input = { Input }, Output = { Output } });

    private static byte[] ScaleModel(bool addend)
    {
        var inputs = new List<(string, TensorInfo)> { (Input, AnyFloat), (Factor, new TensorInfo(DataTypes.Float, [])) };
        if (!addend)
        {
            return Model("graddiag_device_scale", inputs, new NodeProto { OpType = "Mul", Input = { Input, Factor }, Output = { Output } });
        }

        inputs.Add((Addend, AnyFloat));
        return Model(
            "graddiag_device_scale_add",
            inputs,
            new NodeProto { OpType = "Mul", Input = { Input, Factor }, Output = { "scaled" } },
            new NodeProto { OpType = "Add", Input = { Addend, "scaled" }, Output = { Output } });
    }

    private static byte[] Model(string name, IEnumerable<(string Name, TensorInfo Info)> inputs, params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = name };
        foreach (var (inputName, info) in inputs)
        {
            graph.Input.Add(StandaloneGraph.ValueInfo(inputName, info));
        }

        graph.Node.AddRange(nodes);
        graph.Output.Add(StandaloneGraph.ValueInfo(Output, AnyFloat));
        var model = new ModelProto { IrVersion = StandaloneGraph.IrVersion, ProducerName = "GradDiag", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = StandaloneGraph.Opset });
        return new OnnxModel(model).ToByteArray();
    }
}
