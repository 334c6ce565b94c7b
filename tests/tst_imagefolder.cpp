#include "data/datasetspec.h"
#include "data/imagedecoder.h"
#include "data/imagefolder.h"
#include "errorcapture.h"
#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <fstream>
#include <thread>

#include <jpeglib.h>

using namespace earlybird;
using namespace earlybird::fixtures;

namespace {

// An image whose pixel (x, y) has red 10x + 50, green 20y + 30, blue 7 (grey images: the green value).
QImage pattern(int width, int height, QImage::Format format)
{
    QImage image(width, height, QImage::Format_RGBA8888);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, qRgba(10 * x + 50, 20 * y + 30, 7, 200));
    if (format == QImage::Format_Grayscale8 || format == QImage::Format_Grayscale16) {
        QImage grey(width, height, format);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                grey.setPixel(x, y, qRgb(20 * y + 30, 20 * y + 30, 20 * y + 30));
        return grey;
    }
    return image.convertToFormat(format);
}

void save(const QImage& image, const QString& path, const char* format = "PNG")
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QVERIFY2(image.save(path, format), qPrintable(path));
}

// A JPEG of `width` x `height` pixels of one colour given as `components` samples in `space` (libjpeg writes an Adobe
// marker for CMYK, whose inks are then stored inverted: 255 is no ink), at quality 100.
std::vector<std::uint8_t> flatJpeg(int width, int height, J_COLOR_SPACE space, std::vector<std::uint8_t> sample)
{
    jpeg_compress_struct info {};
    jpeg_error_mgr errors {};
    info.err = jpeg_std_error(&errors);
    jpeg_create_compress(&info);
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = JDIMENSION(width);
    info.image_height = JDIMENSION(height);
    info.input_components = int(sample.size());
    info.in_color_space = space;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, 100, TRUE);
    jpeg_start_compress(&info, TRUE);
    std::vector<std::uint8_t> row;
    for (int x = 0; x < width; ++x)
        row.insert(row.end(), sample.begin(), sample.end());
    while (info.next_scanline < info.image_height) {
        JSAMPROW rows[1] = { row.data() };
        jpeg_write_scanlines(&info, rows, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    std::vector<std::uint8_t> bytes(buffer, buffer + size);
    std::free(buffer);
    return bytes;
}

} // namespace

class TestImageFolder : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_cache;

    ImageFolderOptions options() const
    {
        ImageFolderOptions o;
        o.cacheDirectory = m_cache.path().toStdString();
        return o;
    }

private Q_SLOTS:
    void readsClassesSizesAndChannels()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        // Classes from train/'s folder names, sorted; the most common training size (4 x 3) wins; one RGB image makes
        // the data set RGB; grey, 16-bit grey and RGBA images are converted; a class with no test images is fine;
        // images in a subfolder of a class count; other files are ignored.
        save(pattern(4, 3, QImage::Format_RGB888), root + QStringLiteral("/train/zebra/a.png"));
        save(pattern(4, 3, QImage::Format_Grayscale8), root + QStringLiteral("/train/zebra/b.PNG"));
        save(pattern(4, 3, QImage::Format_Grayscale16), root + QStringLiteral("/train/apple/deep/c16.png"));
        save(pattern(4, 3, QImage::Format_RGBA8888), root + QStringLiteral("/train/apple/d.png"));
        save(pattern(8, 6, QImage::Format_RGB888), root + QStringLiteral("/train/apple/big.bmp"), "BMP");
        save(pattern(4, 3, QImage::Format_RGB888), root + QStringLiteral("/test/zebra/t.jpg"), "JPEG");
        save(pattern(4, 3, QImage::Format_RGB888), root + QStringLiteral("/train/mango/m.png"));
        QFile notes(root + QStringLiteral("/train/zebra/notes.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("not an image");
        notes.close();

        ImageFolderReport report;
        const Dataset train = readImageFolder(root.toStdString(), Split::Train, options(), &report);
        QCOMPARE(train.classNames(), (std::vector<std::string> { "apple", "mango", "zebra" }));
        QCOMPARE(train.shape(), (ImageShape { 3, 3, 4 }));
        QCOMPARE(train.size(), 6);
        // Sorted by path within a class: apple/big.bmp, apple/d.png, apple/deep/c16.png, mango/m.png, zebra/a.png,
        // b.PNG.
        QCOMPARE(train.labels(), (std::vector<std::int64_t> { 0, 0, 0, 1, 2, 2 }));
        QCOMPARE(report.resized, 1);
        QCOMPARE(report.ignoredFiles, 1);
        QVERIFY(!report.fromCache);
        QCOMPARE(report.images, 7);
        const int plane = 12;
        // zebra/a.png (RGB): red at (x=2, y=1) is 70, green 50, blue 7.
        const std::uint8_t* rgb = train.image(4);
        QCOMPARE(int(rgb[0 * plane + 1 * 4 + 2]), 70);
        QCOMPARE(int(rgb[1 * plane + 1 * 4 + 2]), 50);
        QCOMPARE(int(rgb[2 * plane + 1 * 4 + 2]), 7);
        // zebra/b.PNG (grey) copied to every channel; the 16-bit grey image scaled to 8 bits; RGBA drops alpha.
        for (const std::int64_t n : { std::int64_t(5), std::int64_t(2) })
            for (int c = 0; c < 3; ++c)
                QCOMPARE(int(train.image(n)[c * plane + 2 * 4 + 1]), 70);
        QCOMPARE(int(train.image(1)[0 * plane + 0 * 4 + 3]), 80);

        const Dataset test = readImageFolder(root.toStdString(), Split::Test, options(), &report);
        QCOMPARE(test.size(), 1);
        QCOMPARE(test.labels(), (std::vector<std::int64_t> { 2 }));
        QCOMPARE(test.labelHistogram(), (std::vector<std::int64_t> { 0, 0, 1 }));
        QVERIFY(report.fromCache);
        // JPEG is lossy: within a few levels.
        QVERIFY2(std::abs(int(test.image(0)[0 * plane + 1 * 4 + 2]) - 70) <= 15,
            qPrintable(QString::number(test.image(0)[0 * plane + 1 * 4 + 2])));

        // A chosen size resizes everything; greyscale only when every image is grey.
        ImageFolderOptions sized = options();
        parseImageSize("6x8", sized, "--image-size");
        QCOMPARE(readImageFolder(root.toStdString(), Split::Train, sized).shape(), (ImageShape { 3, 6, 8 }));
        QVERIFY(
            contains(errorMessage([&] { parseImageSize("6by8", sized, "--image-size"); }), "--image-size takes HxW"));
    }

    void cacheFollowsTheFiles()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        save(pattern(5, 5, QImage::Format_Grayscale8), root + QStringLiteral("/train/a/1.png"));
        save(pattern(5, 5, QImage::Format_Grayscale8), root + QStringLiteral("/train/b/2.png"));
        save(pattern(5, 5, QImage::Format_Grayscale8), root + QStringLiteral("/test/b/3.png"));
        ImageFolderReport report;
        QCOMPARE(
            readImageFolder(root.toStdString(), Split::Train, options(), &report).shape(), (ImageShape { 1, 5, 5 }));
        QVERIFY(!report.fromCache);
        QVERIFY(QFile::exists(QString::fromStdString(report.cacheFile)));
        QCOMPARE(readImageFolder(root.toStdString(), Split::Train, options(), &report).size(), 2);
        QVERIFY(report.fromCache);
        // A new image, or a changed one, is seen: the cache is rebuilt.
        save(pattern(5, 5, QImage::Format_Grayscale8), root + QStringLiteral("/train/b/4.png"));
        QCOMPARE(readImageFolder(root.toStdString(), Split::Train, options(), &report).size(), 3);
        QVERIFY(!report.fromCache);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        save(pattern(5, 5, QImage::Format_RGB888), root + QStringLiteral("/train/b/4.png"));
        QCOMPARE(readImageFolder(root.toStdString(), Split::Train, options(), &report).shape().channels, 3);
        QVERIFY(!report.fromCache);
        // A damaged cache file is rebuilt, not trusted.
        {
            std::fstream file(report.cacheFile, std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(-3, std::ios::end);
            file.put('\x5a');
        }
        QCOMPARE(readImageFolder(root.toStdString(), Split::Train, options(), &report).size(), 3);
        QVERIFY(!report.fromCache);
    }

    void ownValidationSplit()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/train/a/1.png"));
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/train/b/2.png"));
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/val/b/v.png"));
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/test/a/3.png"));
        DatasetSpec spec;
        spec.kind = DatasetKind::Folder;
        spec.path = root.toStdString();
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
        const Dataset train = loadDataset(spec, Split::Train);
        QCOMPARE(train.size(), 3);
        QCOMPARE(train.ownValidationFrom(), std::int64_t(2));
        QCOMPARE(train.label(2), std::int64_t(1));
    }

    // JPEGs that made stb_image 2.27 misbehave, found by fuzzing: a Huffman table claiming 257 codes (it wrote past its
    // table), the same behind a fill byte (FF FF D8), and a Huffman stream that runs out of bits (it shifted past 32
    // bits). JPEG is libjpeg-turbo's now; each is refused as damaged, with the file named.
    void damagedJpegsAreRefused()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/train/a/1.png"));
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/test/a/2.png"));
        const QByteArray jpeg = QByteArray::fromBase64(
            "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoK"
            "BggLDAsKCQwKx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAf/+/vUAAAAAAAECAwQFCgoKCgoKCgoK"
            "CgoKCgoKCgoKCgoKCgoKCgr/wAARCAAEAAQDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QGBwgJCgv/"
            "xAAA");
        QFile file(root + QStringLiteral("/train/a/bad.jpg"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(jpeg);
        file.close();
        const std::string message = errorMessage([&] { readImageFolder(root.toStdString(), Split::Train, options()); });
        QVERIFY2(contains(message, "bad.jpg") && contains(message, "a damaged JPEG"), message.c_str());
        std::vector<std::uint8_t> filled { 0xFF };
        filled.insert(filled.end(), jpeg.begin(), jpeg.end());
        const QByteArray runsOut = QByteArray::fromBase64(
            "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIAgICAgUDAwUKCgoK"
            "CgoKCgoKCgoKCgoKCgoKCgoKCv/AABEIAAQABAMBIgACEQEDEQH/xAAfAAABBQEBAQEBAQAAAAAAAACJUE5HDQoaCggJCgv/xAC1"
            "EAACAQMDAgQDBQUEBAAAAX0BAgMABBEFEiExQQYTUWEHInEUMoGRoQgjQrHBFVLR8CQzYnKCCQoWFxgRAD8A+u/gj/wRJ/4J5/8A"
            "REVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoOEhYaHiImKcZOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK"
            "0tPU1dbX2Nna4eLj5OXm5+jp6vHy8/T19vf4+fr/xAAfAQADAQEBAQEBAQEBAAAAAAAAAQIDBAUGBwgJCgv/xAC1EQACAQIEBAME"
            "BwUEBAABAncAAQIDEQQFITIGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpT"
            "VFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIySPS09TV1tfY"
            "2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/APrv4I/8ESf+Cef/AAryz/4t/wev/A1JSERSACii2P/guM78w//Z");
        for (const std::vector<std::uint8_t>& bytes :
            { filled, std::vector<std::uint8_t>(runsOut.begin(), runsOut.end()) }) {
            const std::string problem = errorMessage([&] { decodeImage(bytes, "fuzzed.jpg"); });
            QVERIFY2(contains(problem, "fuzzed.jpg: a damaged JPEG"), problem.c_str());
        }
    }

    // A PNG stb_image refuses without giving a reason, decoded on a thread that never saw a failure (as an image
    // folder's workers decode): the message was built from a null pointer (found by fuzz_image_folder).
    void imageRefusedWithoutAReasonOnAFreshThread()
    {
        const QByteArray png = QByteArray::fromHex(
            "89504e470d0a1a0a0000000d4948445200000002000000021000000000074d8ebb0000001249444154789cfffc6360e3"
            "9fa18141c804000f5d02c6c33b38450000000049454e44ae604282");
        const std::vector<std::uint8_t> bytes(png.begin(), png.end());
        std::string message;
        std::thread([&] { message = errorMessage([&] { decodeImage(bytes, "odd.png"); }); }).join();
        QVERIFY2(contains(message, "odd.png: a damaged image ("), message.c_str());
    }

    // Grey and colour JPEGs come out as written (within JPEG's loss); CMYK with Adobe's inverted inks comes out as RGB.
    void jpegColourSpaces()
    {
        struct Case {
            J_COLOR_SPACE space;
            std::vector<std::uint8_t> sample;
            int channels;
            std::vector<int> expected;
        };
        for (const Case& c :
            { Case { JCS_GRAYSCALE, { 90 }, 1, { 90 } }, Case { JCS_RGB, { 200, 40, 10 }, 3, { 200, 40, 10 } },
                Case { JCS_CMYK, { 255, 0, 0, 255 }, 3, { 255, 0, 0 } }, // no cyan, full magenta and yellow: red
                Case { JCS_CMYK, { 255, 255, 255, 127 }, 3, { 127, 127, 127 } } }) { // half black
            const DecodedImage image = decodeImage(flatJpeg(9, 7, c.space, c.sample), "flat.jpg");
            QCOMPARE(image.info.width, 9);
            QCOMPARE(image.info.height, 7);
            QCOMPARE(image.info.channels, c.channels);
            ImageInfo probed;
            QVERIFY(probeImage(flatJpeg(9, 7, c.space, c.sample), probed));
            QCOMPARE(probed.channels, c.channels);
            for (int ch = 0; ch < c.channels; ++ch)
                QVERIFY2(std::abs(int(image.pixels[std::size_t(ch)]) - c.expected[std::size_t(ch)]) <= 3,
                    qPrintable(QStringLiteral("colour space %1, channel %2: %3")
                                   .arg(int(c.space))
                                   .arg(ch)
                                   .arg(image.pixels[std::size_t(ch)])));
        }
        // A truncated JPEG is damaged, not half an image.
        std::vector<std::uint8_t> whole = flatJpeg(64, 64, JCS_RGB, { 1, 2, 3 });
        whole.resize(whole.size() / 2);
        QVERIFY(contains(errorMessage([&] { decodeImage(whole, "half.jpg"); }), "half.jpg: a damaged JPEG"));
    }

    // A PNG with an empty image-data chunk first: stb_image 2.27 would copy into a null buffer (found by
    // fuzz_image_decoder); it decodes to the very image without that chunk.
    void pngWithAnEmptyDataChunkDecodes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.png"));
        save(pattern(5, 4, QImage::Format_RGB888), path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray png = file.readAll();
        const int idat = png.indexOf("IDAT") - 4; // the chunk's length field
        QVERIFY(idat > 8);
        const QByteArray emptyChunk = QByteArray::fromHex("0000000049444154"
                                                          "35af061e"); // length 0, "IDAT", its CRC
        const QByteArray withEmpty = png.left(idat) + emptyChunk + png.mid(idat);
        const std::vector<std::uint8_t> original(png.begin(), png.end());
        const std::vector<std::uint8_t> changed(withEmpty.begin(), withEmpty.end());
        const DecodedImage expected = decodeImage(original, "a.png");
        const DecodedImage decoded = decodeImage(changed, "b.png");
        QCOMPARE(decoded.info.width, 5);
        QVERIFY(decoded.pixels == expected.pixels);
        // A chunk claiming more bytes than the file has is refused before stb_image sizes a buffer by it (a 100-byte
        // file made it ask for 2 GiB: found by fuzz_image_decoder).
        std::vector<std::uint8_t> claiming = original;
        const std::size_t at = std::size_t(idat);
        claiming[at] = 0x3F; // the image data's length now about a gigabyte
        ImageInfo info;
        std::string problem;
        QVERIFY(!probeImage(claiming, info, &problem));
        QVERIFY2(contains(problem, "a damaged PNG (a chunk of"), problem.c_str());
    }

    void badFoldersAndImagesAreNamed()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        std::string message = errorMessage([&] { readImageFolder(root.toStdString(), Split::Train, options()); });
        QVERIFY2(contains(message, "has no train/ folder") && contains(message, "ROOT/train/<class>"), message.c_str());
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/train/a/1.png"));
        message = errorMessage([&] { readImageFolder(root.toStdString(), Split::Train, options()); });
        QVERIFY2(contains(message, "has no test/ folder"), message.c_str());
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/test/ghost/1.png"));
        message = errorMessage([&] { readImageFolder(root.toStdString(), Split::Train, options()); });
        QVERIFY2(contains(message, "ghost") && contains(message, "a class that train/ does not have"), message.c_str());
        QDir(root + QStringLiteral("/test/ghost")).removeRecursively();
        save(pattern(3, 3, QImage::Format_Grayscale8), root + QStringLiteral("/test/a/2.png"));
        // An unreadable image stops the load, named; with skipping it is counted and named in the report.
        const QString bad = root + QStringLiteral("/train/a/broken.png");
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x89PNG\r\n\x1a\n but then nothing");
        file.close();
        message = errorMessage([&] { readImageFolder(root.toStdString(), Split::Train, options()); });
        QVERIFY2(contains(message, bad.toStdString()) && contains(message, "--skip-bad-images"), message.c_str());
        ImageFolderOptions skipping = options();
        skipping.skipBadImages = true;
        ImageFolderReport report;
        QCOMPARE(readImageFolder(root.toStdString(), Split::Train, skipping, &report).size(), 1);
        QCOMPARE(report.skippedImages.size(), std::size_t(1));
        QVERIFY(contains(report.skippedImages.front(), "broken.png"));
        // An image whose data is cut after a valid header is found in the second pass (decoding), named too.
        QImage big = pattern(30, 30, QImage::Format_RGB888);
        save(big, bad);
        QFile cut(bad);
        QVERIFY(cut.open(QIODevice::ReadWrite));
        cut.resize(cut.size() / 2);
        cut.close();
        message = errorMessage([&] { readImageFolder(root.toStdString(), Split::Train, options()); });
        QVERIFY2(contains(message, bad.toStdString()), message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestImageFolder)
#include "tst_imagefolder.moc"
