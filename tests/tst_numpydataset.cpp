#include "data/datasetspec.h"
#include "data/numpydataset.h"
#include "errorcapture.h"
#include "fixtures.h"

#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <cstring>
#include <fstream>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

using Bytes = std::vector<std::uint8_t>;

// A .npy file as NumPy writes it (format 1.0, header padded to 64 bytes).
Bytes npy(const std::string& descr, const std::vector<std::int64_t>& shape, const Bytes& data,
    const std::string& fortran = "False")
{
    std::string dims;
    for (const std::int64_t d : shape)
        dims += std::to_string(d) + ",";
    if (shape.size() > 1)
        dims.pop_back();
    std::string header = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': (" + dims + "), }";
    header += std::string(63 - (10 + header.size()) % 64, ' ') + "\n";
    Bytes out
        = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, std::uint8_t(header.size() & 0xFF), std::uint8_t(header.size() >> 8) };
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

template <typename T>
Bytes raw(const std::vector<T>& values)
{
    Bytes out(values.size() * sizeof(T));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

void put(Bytes& out, std::uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.push_back(std::uint8_t(value >> (8 * i)));
}

// A ZIP archive of `members` (name -> content), stored or deflated, as np.savez / np.savez_compressed write them.
Bytes npz(const std::map<std::string, Bytes>& members, bool compress)
{
    Bytes out, directory;
    for (const auto& [name, content] : members) {
        Bytes data = content;
        if (compress) {
            z_stream z {};
            deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
            data.resize(deflateBound(&z, uLong(content.size())));
            z.next_in = const_cast<Bytef*>(content.data());
            z.avail_in = uInt(content.size());
            z.next_out = data.data();
            z.avail_out = uInt(data.size());
            deflate(&z, Z_FINISH);
            data.resize(z.total_out);
            deflateEnd(&z);
        }
        const std::uint32_t crc = std::uint32_t(crc32(0, content.data(), uInt(content.size())));
        const std::string file = name + ".npy";
        const std::uint64_t offset = out.size();
        put(out, 0x04034b50, 4);
        put(out, 20, 2);
        put(out, 0, 2);
        put(out, compress ? 8 : 0, 2);
        put(out, 0, 4);
        put(out, crc, 4);
        put(out, data.size(), 4);
        put(out, content.size(), 4);
        put(out, file.size(), 2);
        put(out, 0, 2);
        out.insert(out.end(), file.begin(), file.end());
        out.insert(out.end(), data.begin(), data.end());
        put(directory, 0x02014b50, 4);
        put(directory, 20, 2);
        put(directory, 20, 2);
        put(directory, 0, 2);
        put(directory, compress ? 8 : 0, 2);
        put(directory, 0, 4);
        put(directory, crc, 4);
        put(directory, data.size(), 4);
        put(directory, content.size(), 4);
        put(directory, file.size(), 2);
        put(directory, 0, 2);
        put(directory, 0, 2);
        put(directory, 0, 2);
        put(directory, 0, 2);
        put(directory, 0, 4);
        put(directory, offset, 4);
        directory.insert(directory.end(), file.begin(), file.end());
    }
    const std::uint64_t start = out.size();
    out.insert(out.end(), directory.begin(), directory.end());
    put(out, 0x06054b50, 4);
    put(out, 0, 4);
    put(out, members.size(), 2);
    put(out, members.size(), 2);
    put(out, directory.size(), 4);
    put(out, start, 4);
    put(out, 0, 2);
    return out;
}

void writeFile(const std::string& path, const Bytes& bytes)
{
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// Two 2 x 3 RGB training images in NHWC order, pixel value = 10 * image + channel + 3 * (row * 3 + column) ... kept
// simple: value v(n, y, x, c) = n * 100 + (y * 3 + x) * 4 + c.
Bytes nhwcPixels(int images)
{
    Bytes out;
    for (int n = 0; n < images; ++n)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 3; ++x)
                for (int c = 0; c < 3; ++c)
                    out.push_back(std::uint8_t(n * 100 + (y * 3 + x) * 4 + c));
    return out;
}

std::uint8_t expected(int n, int c, int y, int x, int width = 3)
{
    return std::uint8_t(n * 100 + (y * width + x) * 4 + c);
}

std::map<std::string, Bytes> basicMembers()
{
    return { { "x_train", npy("|u1", { 2, 2, 3, 3 }, nhwcPixels(2)) },
        { "y_train", npy("<i8", { 2 }, raw<std::int64_t>({ 1, 0 })) },
        { "x_test", npy("|u1", { 1, 2, 3, 3 }, nhwcPixels(1)) }, { "y_test", npy("<u1", { 1 }, { 2 }) } };
}

} // namespace

class TestNumpyDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsNhwcStoredAndDeflated_data()
    {
        QTest::addColumn<bool>("compressed");
        QTest::newRow("np.savez") << false;
        QTest::newRow("np.savez_compressed") << true;
    }
    void readsNhwcStoredAndDeflated()
    {
        QFETCH(bool, compressed);
        QTemporaryDir dir;
        const std::string file = dir.filePath(QStringLiteral("data.npz")).toStdString();
        writeFile(file, npz(basicMembers(), compressed));
        const Dataset train = readNumpyDataset(file, Split::Train);
        QCOMPARE(train.shape(), (ImageShape { 3, 2, 3 }));
        QCOMPARE(train.size(), 2);
        QCOMPARE(train.labels(), (std::vector<std::int64_t> { 1, 0 }));
        // Class count from the largest label of any split (y_test has 2), names are the indices.
        QCOMPARE(train.classNames(), (std::vector<std::string> { "0", "1", "2" }));
        for (int n = 0; n < 2; ++n)
            for (int c = 0; c < 3; ++c)
                for (int y = 0; y < 2; ++y)
                    for (int x = 0; x < 3; ++x)
                        QCOMPARE(train.image(n)[(c * 2 + y) * 3 + x], expected(n, c, y, x));
        QCOMPARE(train.ownValidationFrom(), std::int64_t(-1));
        const Dataset test = readNumpyDataset(file, Split::Test);
        QCOMPARE(test.size(), 1);
        QCOMPARE(test.numClasses(), 3);
        // A folder holding the one .npz is read the same.
        QCOMPARE(readNumpyDataset(dir.path().toStdString(), Split::Train).pixels(), train.pixels());
        // Through the data set spec.
        DatasetSpec spec;
        spec.kind = DatasetKind::Numpy;
        spec.path = file;
        QCOMPARE(loadDataset(spec, Split::Test).labels(), test.labels());
    }

    void layoutsTypesAndLabels()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        // NCHW floats in [0, 1] (2 x 3 x 2 x 5: the last axis cannot be channels); one-hot float labels; RGBA test
        // images in NHWC (alpha dropped); class names as a str array.
        std::vector<float> nchw;
        for (int n = 0; n < 2; ++n)
            for (int c = 0; c < 3; ++c)
                for (int y = 0; y < 2; ++y)
                    for (int x = 0; x < 5; ++x)
                        nchw.push_back(float(expected(n, c, y, x, 5)) / 255.0f);
        std::vector<float> oneHot = { 0, 1, 0, 1, 0, 0 };
        Bytes rgba;
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 5; ++x)
                for (int c = 0; c < 4; ++c)
                    rgba.push_back(c == 3 ? 7 : expected(0, c, y, x, 5));
        Bytes names;
        for (const char* name : { "cat", "dog", "emu" })
            for (int i = 0; i < 4; ++i) {
                const std::uint32_t code = i < 3 ? std::uint32_t(name[i]) : 0;
                put(names, code, 4);
            }
        writeFile(folder + "/x_train.npy", npy("<f4", { 2, 3, 2, 5 }, raw(nchw)));
        writeFile(folder + "/y_train.npy", npy("<f4", { 2, 3 }, raw(oneHot)));
        writeFile(folder + "/x_test.npy", npy("|u1", { 1, 2, 5, 4 }, rgba));
        writeFile(folder + "/y_test.npy", npy("<i4", { 1, 1 }, raw<std::int32_t>({ 2 })));
        writeFile(folder + "/class_names.npy", npy("<U4", { 3 }, names));
        const Dataset train = readNumpyDataset(folder, Split::Train);
        QCOMPARE(train.shape(), (ImageShape { 3, 2, 5 }));
        QCOMPARE(train.labels(), (std::vector<std::int64_t> { 1, 0 }));
        QCOMPARE(train.classNames(), (std::vector<std::string> { "cat", "dog", "emu" }));
        for (int c = 0; c < 3; ++c)
            QCOMPARE(train.image(1)[(c * 2 + 1) * 5 + 4], expected(1, c, 1, 4, 5));
        const Dataset test = readNumpyDataset(folder, Split::Test);
        QCOMPARE(test.shape(), (ImageShape { 3, 2, 5 }));
        QCOMPARE(test.labels(), (std::vector<std::int64_t> { 2 }));
        QCOMPARE(test.image(0)[(2 * 2 + 0) * 5 + 1], expected(0, 2, 0, 1, 5));

        // Greyscale N x H x W uint16, scaled to 8 bits; a validation split of the data set's own.
        QTemporaryDir grey;
        const std::map<std::string, Bytes> members
            = { { "x_train", npy("<u2", { 2, 1, 2 }, raw<std::uint16_t>({ 0, 65535, 257, 514 })) },
                  { "y_train", npy("<i8", { 2 }, raw<std::int64_t>({ 0, 1 })) },
                  { "x_val", npy("<u2", { 1, 1, 2 }, raw<std::uint16_t>({ 65535, 0 })) },
                  { "y_val", npy("<i8", { 1 }, raw<std::int64_t>({ 1 })) },
                  { "x_test", npy("<u2", { 1, 1, 2 }, raw<std::uint16_t>({ 0, 0 })) },
                  { "y_test", npy("<i8", { 1 }, raw<std::int64_t>({ 0 })) } };
        const std::string file = grey.filePath(QStringLiteral("grey.npz")).toStdString();
        writeFile(file, npz(members, true));
        const Dataset withVal = readNumpyDataset(file, Split::Train);
        QCOMPARE(withVal.shape(), (ImageShape { 1, 1, 2 }));
        QCOMPARE(withVal.pixels(), (std::vector<std::uint8_t> { 0, 255, 1, 2, 255, 0 }));
        QCOMPARE(withVal.ownValidationFrom(), std::int64_t(2));
        QCOMPARE(readNumpyDataset(file, Split::Test).ownValidationFrom(), std::int64_t(-1));
    }

    void badInputIsNamed_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("problem");
        QTest::newRow("object array") << QStringLiteral("object") << QStringLiteral("Python objects");
        QTest::newRow("big-endian") << QStringLiteral("bigendian") << QStringLiteral("big-endian");
        QTest::newRow("Fortran order") << QStringLiteral("fortran") << QStringLiteral("Fortran order");
        QTest::newRow("truncated data") << QStringLiteral("truncated") << QStringLiteral("truncated");
        QTest::newRow("no x_test") << QStringLiteral("missing") << QStringLiteral("no 'x_test' array");
        QTest::newRow("labels disagree") << QStringLiteral("labels") << QStringLiteral("1 labels for 2 images");
        QTest::newRow("negative label") << QStringLiteral("negative") << QStringLiteral("not a class index");
        QTest::newRow("normalised floats") << QStringLiteral("normalised") << QStringLiteral("[0, 1] or [0, 255]");
        QTest::newRow("bad shape") << QStringLiteral("shape") << QStringLiteral("images must be");
        QTest::newRow("corrupt archive") << QStringLiteral("crc") << QStringLiteral("CRC");
        QTest::newRow("not an archive") << QStringLiteral("notzip") << QStringLiteral("not a .npz archive");
        QTest::newRow("test shape differs")
            << QStringLiteral("testshape") << QStringLiteral("not the shape of x_train");
    }
    void badInputIsNamed()
    {
        QFETCH(QString, damage);
        QFETCH(QString, problem);
        std::map<std::string, Bytes> members = basicMembers();
        const std::string d = damage.toStdString();
        if (d == "object")
            members["x_train"] = npy("|O", { 2 }, Bytes(16, 0));
        if (d == "bigendian")
            members["y_train"] = npy(">i8", { 2 }, Bytes(16, 0));
        if (d == "fortran")
            members["x_train"] = npy("|u1", { 2, 2, 3, 3 }, nhwcPixels(2), "True");
        if (d == "truncated") {
            Bytes pixels = nhwcPixels(2);
            pixels.resize(pixels.size() - 1);
            members["x_train"] = npy("|u1", { 2, 2, 3, 3 }, pixels);
        }
        if (d == "missing")
            members.erase("x_test");
        if (d == "labels")
            members["y_train"] = npy("<i8", { 1 }, raw<std::int64_t>({ 0 }));
        if (d == "negative")
            members["y_train"] = npy("<i8", { 2 }, raw<std::int64_t>({ 0, -1 }));
        if (d == "normalised")
            members["x_train"] = npy("<f4", { 2, 1, 1, 1 }, raw<float>({ -1.5f, 0.5f }));
        if (d == "shape")
            members["x_train"] = npy("|u1", { 2, 5 }, Bytes(10, 0));
        if (d == "testshape")
            members["x_test"] = npy("|u1", { 1, 3, 3, 3 }, Bytes(27, 0));
        QTemporaryDir dir;
        const std::string file = dir.filePath(QStringLiteral("bad.npz")).toStdString();
        Bytes bytes = npz(members, false);
        if (d == "crc")
            bytes[300] ^= 0x5A; // inside x_train's stored data (its local header starts at 186, its data at 227)
        if (d == "notzip")
            bytes = Bytes(100, 7);
        writeFile(file, bytes);
        std::string message = errorMessage([&] {
            readNumpyDataset(file, Split::Train);
            readNumpyDataset(file, Split::Test);
        });
        QVERIFY2(contains(message, problem.toStdString()), message.c_str());
        QVERIFY2(contains(message, file), message.c_str());
    }

    void missingFilesAreNamed()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        std::string message = errorMessage([&] { readNumpyDataset(folder, Split::Train); });
        QVERIFY2(contains(message, "neither x_train.npy"), message.c_str());
        writeFile(folder + "/x_train.npy", basicMembers()["x_train"]);
        message = errorMessage([&] { readNumpyDataset(folder, Split::Train); });
        QVERIFY2(contains(message, "y_train.npy") && contains(message, "missing"), message.c_str());
        message = errorMessage([&] { readNumpyDataset(folder + "/nothing.npz", Split::Train); });
        QVERIFY2(contains(message, "no such file"), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestNumpyDataset)
#include "tst_numpydataset.moc"
