using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace MerFactory.AuEngine.Models;

/// <summary>
/// A compiled model file mapped read-only for as long as a model uses tables that stay in it. Copying a large table
/// out of the map costs a page fault per 4 KiB of fresh memory (the dlib leaves are 65 MB: a third of a second on a
/// virtual machine), while the mapped pages come from the page cache as they are read. The mapping is released when no
/// table refers to it any more (finalizer) or when nothing was kept (<see cref="ReleaseIfUnused"/>).
/// </summary>
internal sealed unsafe class MappedModelRegion
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private int _released;

    /// <exception cref="CorruptModelException">The file is empty (a file cut short can be nothing else: they are written by rename).</exception>
    public MappedModelRegion(string path)
    {
        // Nothing is mapped yet: a constructor that throws must not leave a finalizer to release what was never taken.
        GC.SuppressFinalize(this);
        if (new FileInfo(path).Length == 0) throw new CorruptModelException(path, "empty");
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* start = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            Start = start + _view.PointerOffset;
            Length = _view.Capacity;
        }
        catch
        {
            _view?.Dispose();
            _file.Dispose();
            throw;
        }
        GC.ReRegisterForFinalize(this);
    }

    ~MappedModelRegion() => Release();

    public byte* Start { get; }

    public long Length { get; }

    /// <summary>Whether any table was handed out (the mapping must then outlive this read).</summary>
    public bool Kept { get; private set; }

    /// <summary><paramref name="count"/> floats at <paramref name="at"/>, left in the mapping.</summary>
    public ReadOnlyMemory<float> Singles(byte* at, int count)
    {
        Kept = true;
        return new MappedSingles(this, (float*)at, count).Memory;
    }

    /// <summary>Unmaps the file now when nothing was kept.</summary>
    public void ReleaseIfUnused()
    {
        if (Kept) return;
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>A float table in the mapping; it keeps the region alive while any <see cref="Memory{T}"/> of it is reachable.</summary>
    private sealed class MappedSingles(MappedModelRegion region, float* start, int count) : MemoryManager<float>
    {
        // Held, never read: while this table is reachable, so is the mapping it points into.
        private readonly MappedModelRegion _region = region;

        public override Span<float> GetSpan() => new(start, count);

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, count);
            return new MemoryHandle(start + elementIndex, default, this);
        }

        public override void Unpin()
        {
            // Nothing to release: the mapping does not move, and the handle's reference to this manager keeps the region.
        }

        protected override void Dispose(bool disposing)
        {
            // The region is shared by every table of the model: it goes with the last of them (its finalizer).
        }
    }
}
